/** --timeout: seconds to milliseconds, zero only where it means "do not wait", blanks refused. */
import { describe, it, expect } from 'vitest';
import { timeoutMsFlag } from '../../src/commands/shared/timeout.js';
import { expectDtxError } from '../helpers/dtx-error.js';

const refusal = (raw: unknown, allowZero = false) => expectDtxError(() => timeoutMsFlag(raw, 30, { allowZero }));

describe('timeoutMsFlag', () => {
  it('reads seconds, fractions included, and defaults when the flag is absent', () => {
    expect(timeoutMsFlag(undefined, 120)).toBe(120_000);
    expect(timeoutMsFlag('1.5', 120)).toBe(1500);
    expect(timeoutMsFlag(' 60 ', 120)).toBe(60_000);
    expect(timeoutMsFlag('0', 30, { allowZero: true })).toBe(0);
  });

  it('refuses words, negatives, blanks (Number("") is 0) and zero where a wait is needed, with exit 2 and an example', () => {
    for (const raw of ['soon', '-1', '', '  ', 'Infinity', '1e400']) {
      const e = refusal(raw, true);
      expect(e.code).toBe('TIMEOUT_INVALID');
      expect(e.exitCode).toBe(2);
      expect(e.hint).toMatch(/--timeout \d+/);
    }
    expect(refusal('0').message).toBe('--timeout must be a positive number of seconds, got "0"');
  });
});
