import type { View } from '@slack/types';

/**
 * A view handed to the Web API client as its JSON text. @slack/web-api sends a string argument as it
 * is (only objects are JSON-encoded), and its debug log line — built even when debug is off — then
 * redacts one string instead of walking every nested object. For the request form, a view of
 * hundreds of nested objects opened for every responder, that walk and the encoding were most of the
 * client's work per command (see the README's Performance section). On the wire it is the same
 * request. The type says View because the method signatures want one.
 */
export function serializedView(view: View): View {
  return JSON.stringify(view) as unknown as View;
}
