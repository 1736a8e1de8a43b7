import { channelAllowed, mayCommit } from '../../src/domain/approval';
import { escapeMrkdwn, truncate } from '../../src/domain/mrkdwn';

const policy = { approverUsers: ['UAPP', 'UREQ'], approverGroups: ['SOPS'], fourEyes: true };

describe('approval policy', () => {
  it.each([
    ['an approver who did not request the run', 'UAPP', 'UREQ', false, true],
    ['a member of an approver group', 'UGRP', 'UREQ', true, true],
    ['someone who is no approver', 'UOUT', 'UREQ', false, false],
    ['the requester under four-eyes, even as an approver', 'UREQ', 'UREQ', false, false],
  ])('for %s', (_n, user, requester, inGroup, allowed) => {
    expect(mayCommit(policy, user, requester, inGroup).allowed).toBe(allowed);
  });

  it('lets the requester commit when four-eyes is off', () => {
    expect(mayCommit({ ...policy, fourEyes: false }, 'UREQ', 'UREQ', false)).toEqual({ allowed: true });
  });

  it('explains the four-eyes refusal', () => {
    const v = mayCommit(policy, 'UREQ', 'UREQ', false);
    expect(v.allowed ? '' : v.reason).toMatch(/another approver/);
  });

  it('allows every channel without an allow-list, only listed ones with it', () => {
    expect(channelAllowed(undefined, 'CANY')).toBe(true);
    expect(channelAllowed(['CINC'], 'CINC')).toBe(true);
    expect(channelAllowed(['CINC'], 'CRANDOM')).toBe(false);
  });
});

describe('mrkdwn escaping', () => {
  it.each([
    ['<!channel> now', '&lt;!channel&gt; now'],
    ['<https://evil.example|click me>', '&lt;https://evil.example|click me&gt;'],
    ['<@U123>', '&lt;@U123&gt;'],
    ['R&D', 'R&amp;D'],
  ])('shows %s as typed', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });

  it('truncates with a mark', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});
