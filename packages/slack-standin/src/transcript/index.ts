/**
 * The conversation as a person reads it in Slack, from the Slack stand-in's recorded state:
 * `transcriptFromState(standIn.state)` (or `standIn.transcript()`), then
 * `renderTranscriptText(...)` for a terminal or `renderTranscriptHtml(..., { title })` for a page.
 */
export type { Transcript, TranscriptBlock, TranscriptEvent, TranscriptMessage, TranscriptPerson } from './events';
export { transcriptFromState } from './from-stand-in';
export { escapeHtml, mrkdwnToHtml, mrkdwnToText, parseMrkdwn, type MrkdwnSegment, type NameLookup } from './mrkdwn';
export { renderTranscriptHtml, type RenderHtmlOptions } from './render-html';
export { renderTranscriptText, type RenderTextOptions } from './render-text';
