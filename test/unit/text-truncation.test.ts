import { LIMITS, context, packLines, plain, safe, safeLine, section, truncate } from '../../src/bot/views/text';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Astral characters only: every one is a surrogate pair, so every cut at an odd index falls inside one.
const EMOJI = '🚀🔥✨👩‍💻🇩🇪𝔸'.replace(/[^\uD800-\uDFFF]/g, '').repeat(20);
// Every limit, so that the text kept before the “…” has every odd (and even) length.
const limits = Array.from({ length: 80 }, (_, i) => i + 1);

describe('truncating text for Slack', () => {
  it('never splits a surrogate pair, whatever the length kept, and stays within the limit', () => {
    for (const max of limits) {
      const cuts = {
        truncate: truncate(EMOJI, max),
        plain: plain(EMOJI, max).text,
        safe: safe(EMOJI, max),
        safeLine: safeLine(EMOJI, max),
      };
      for (const [how, cut] of Object.entries(cuts)) {
        expect({ how, max, lone: LONE_SURROGATE.test(cut) }).toEqual({ how, max, lone: false });
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(cut.endsWith('…')).toBe(true);
      }
    }
  });

  it('keeps as much as fits: one code unit less only where a pair would be split', () => {
    expect(truncate(EMOJI, 5)).toBe(`${EMOJI.slice(0, 4)}…`);
    expect(truncate(EMOJI, 6)).toBe(`${EMOJI.slice(0, 4)}…`);
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('ab🚀', 4)).toBe('ab🚀');
    expect(truncate('a🚀b', 2)).toBe('a…');
  });

  it('cuts section and context text at Slack’s 3000 characters on a code-point boundary', () => {
    const long = EMOJI.repeat(20); // 5600 code units: a cut at 2999 falls inside a pair
    for (const text of [section(long).text?.text ?? '', (context(long).elements[0] as { text: string }).text]) {
      expect(text.length).toBeLessThanOrEqual(LIMITS.sectionText);
      expect(LONE_SURROGATE.test(text)).toBe(false);
    }
  });

  it('cuts long lines packed into chunks on a code-point boundary', () => {
    // Lines are cut to maxChars - 40 = 61; after the `x` a cut at 60 falls inside a pair.
    const chunks = packLines([`x${EMOJI.repeat(10)}`, EMOJI], 101, 3);
    for (const chunk of chunks) expect(LONE_SURROGATE.test(chunk)).toBe(false);
  });
});
