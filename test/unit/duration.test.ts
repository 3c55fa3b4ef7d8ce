import { describe, it, expect } from 'vitest';
import { formatDuration, parseDuration } from '../../src/core/duration.js';
import { DtxError } from '../../src/core/errors.js';

describe('--older-than durations', () => {
  it('reads 0, seconds, minutes, hours and days', () => {
    expect(parseDuration('0', '--older-than')).toBe(0);
    expect(parseDuration('90s', '--older-than')).toBe(90_000);
    expect(parseDuration('30m', '--older-than')).toBe(1_800_000);
    expect(parseDuration('12h', '--older-than')).toBe(43_200_000);
    expect(parseDuration('7d', '--older-than')).toBe(604_800_000);
    expect(parseDuration('1.5h', '--older-than')).toBe(5_400_000);
    expect(parseDuration('45', '--older-than')).toBe(45_000);
  });

  it('refuses anything else with a usage error and a hint', () => {
    for (const bad of ['', 'soon', '-1d', '1w', '1 day', '1d2h']) {
      let e: unknown;
      try {
        parseDuration(bad, '--older-than');
      } catch (x) {
        e = x;
      }
      expect(e, bad).toBeInstanceOf(DtxError);
      expect((e as DtxError).exitCode).toBe(2);
      expect((e as DtxError).hint).toMatch(/--older-than 30m/);
    }
  });

  it('prints them back the short way', () => {
    expect(formatDuration(0)).toBe('0');
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(1_800_000)).toBe('30m');
    expect(formatDuration(90_000)).toBe('90s');
  });
});
