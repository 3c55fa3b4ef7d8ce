/**
 * SQL fragments that tell what an unreferenced row is and how old it is, from its id and the first
 * byte of its value alone (docs/datomic-storage.md §6): no value is fetched into Node.
 */

/** A squuid or a squuid chunk key (`<uuid>_<15 hex>`). */
export const SQUUID_ID_RE_SQL = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(_[0-9A-Fa-f]{15})?$';

/** The squuid times to believe (ms), for squuidMsSql's parameters: from 2012 to a day after `nowMs`. */
export function squuidBounds(nowMs: number): [number, number] {
  return [Date.UTC(2012, 0, 1), nowMs + 86_400_000];
}

/** A time in ms as these queries return it (text, number or NULL), as an ISO string. */
export function isoOfMs(ms: string | number | null): string | null {
  return ms === null ? null : new Date(Number(ms)).toISOString();
}

/** SQL for the squuid time (ms) of `idExpr`, NULL when it is not a plausible squuid (between minParam and maxParam). */
export function squuidMsSql(idExpr: string, minParam: string, maxParam: string): string {
  const ms = `(('x' || substr(${idExpr}, 1, 8))::bit(32)::bigint * 1000)`;
  return `(case when ${idExpr} ~ '${SQUUID_ID_RE_SQL}' and ${ms} between ${minParam} and ${maxParam} then ${ms} end)`;
}

/**
 * SQL naming the kind of row `k` (a datomic_kvs alias): 'fulltext chunk' (its id), 'segment' (gzip:
 * 0x1f), 'log tail' (raw Fressian: 0xEE or RESET_CACHES 0xFE), 'catalog tail' (EDN text: `{` or `#`),
 * 'root' (a pod-/ref- row), else 'other'.
 */
export function rowKindSql(k: string): string {
  const first = `get_byte(substring(${k}.val from 1 for 1), 0)`;
  const sq = `${k}.id ~ '${SQUUID_ID_RE_SQL}'`;
  return `case
      when ${sq} and ${k}.id ~ '_[0-9A-Fa-f]{15}$' then 'fulltext chunk'
      when ${sq} and ${k}.val is not null and ${first} = 31 then 'segment'
      when ${sq} and ${k}.val is not null and ${first} in (238, 254) then 'log tail'
      when ${sq} and ${k}.val is not null and ${first} in (123, 35) then 'catalog tail'
      when ${k}.id ~ '^(pod|ref)-' then 'root'
      else 'other' end`;
}
