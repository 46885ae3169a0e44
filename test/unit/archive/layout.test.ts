/** The archive layout: Hive partition paths from validated segments only. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ArchiveError } from '../../../src/archive/errors';
import { monthFilePath, monthFileRel, parseMonthFileRel, partitionDir } from '../../../src/archive/layout';

describe('archive layout', () => {
  it('puts a month file under provider=/waba=/kind=/month= with a self-describing name', () => {
    const p = { provider: 'meta', waba: '740882506896741', kind: 'pricing', month: '2026-10' } as const;
    assert.equal(partitionDir(p), 'provider=meta/waba=740882506896741/kind=pricing/month=2026-10');
    assert.equal(monthFileRel(p), 'provider=meta/waba=740882506896741/kind=pricing/month=2026-10/waba-740882506896741-pricing-2026-10.parquet');
    assert.deepEqual(parseMonthFileRel(monthFileRel(p)), p);
    assert.equal(monthFilePath('/tmp/a', p), path.join('/tmp/a', ...monthFileRel(p).split('/')));
  });

  it('refuses hostile or malformed segments before any path is built', () => {
    const bad: Array<Record<string, string>> = [
      { waba: '../../etc' },
      { waba: '123/../../x' },
      { waba: '12a' },
      { waba: '' },
      { provider: 'meta/../x' },
      { provider: 'twilio' },
      { kind: 'pricing/..' },
      { kind: 'PRICING' },
      { month: '2026-13' },
      { month: '2026-1' },
      { month: '../2026-10' },
    ];
    for (const b of bad) {
      const p = { provider: 'meta', waba: '1', kind: 'pricing', month: '2026-10', ...b };
      assert.throws(
        () => monthFilePath('/tmp/a', p as never),
        (e: unknown) => e instanceof ArchiveError && e.code === 'invalid-path' && e.kind === 'security',
        JSON.stringify(b),
      );
    }
  });

  it('reads back only paths the layout itself makes', () => {
    assert.equal(parseMonthFileRel('provider=meta/waba=1/kind=pricing/month=2026-10/other.parquet'), undefined);
    assert.equal(parseMonthFileRel('provider=meta/waba=x/kind=pricing/month=2026-10/waba-x-pricing-2026-10.parquet'), undefined);
    assert.equal(parseMonthFileRel('waba-1-pricing-2026-10.parquet'), undefined);
  });
});
