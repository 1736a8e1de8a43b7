#!/usr/bin/env node
// The emulated vault on its own (src/main.ts): ARM over HTTPS, its managed-identity endpoint, its CA
// certificate written to EMULATOR_CA_FILE. A committed launcher rather than a bin pointing into dist/,
// so that npm links it (and marks it executable) at install time, before the package is built.
'use strict';
require('../dist/main.js').runStandaloneEmulator();
