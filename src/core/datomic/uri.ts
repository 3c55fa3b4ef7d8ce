/**
 * Datomic connection URIs for SQL storage: `datomic:sql://<db-name>?jdbc:postgresql://host:port/db?user=U&password=P`.
 * The system URI (all databases, for gc-deleted-dbs and get-database-names) uses `*` as the name.
 */
import { toJdbcUrlWithCredentials, type PgTarget } from '../postgres/url.js';
import { validateDbName } from './dbname.js';

export function datomicUri(name: string, pg: PgTarget): string {
  if (name !== '*') validateDbName(name);
  return `datomic:sql://${name}?${toJdbcUrlWithCredentials(pg)}`;
}

export function systemUri(pg: PgTarget): string {
  return datomicUri('*', pg);
}
