/**
 * Loads the bundled, parameterised SQL in sql/ and fills placeholders. Values are always quoted
 * here: identifiers with escapeIdentifier, literals with escapeLiteral. Nothing from input is
 * concatenated into SQL any other way.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';

export type SqlValue = { ident: string } | { qualified: [string, string] } | { literal: string };

// escapeIdentifier / escapeLiteral as in pg (node-postgres), kept here so rendering (and --dry-run)
// does not need to load pg.
export function escapeIdentifier(str: string): string {
  return `"${str.replace(/"/g, '""')}"`;
}

export function escapeLiteral(str: string): string {
  let hasBackslash = false;
  let escaped = "'";
  for (const c of str) {
    if (c === "'") escaped += "''";
    else if (c === '\\') {
      escaped += '\\\\';
      hasBackslash = true;
    } else escaped += c;
  }
  escaped += "'";
  return hasBackslash ? ` E${escaped}` : escaped;
}

function quote(v: SqlValue): string {
  if ('ident' in v) return escapeIdentifier(v.ident);
  if ('qualified' in v) return `${escapeIdentifier(v.qualified[0])}.${escapeIdentifier(v.qualified[1])}`;
  return escapeLiteral(v.literal).trim();
}

const sqlDir = path.join(packageRoot(import.meta.url), 'sql');

const cache = new Map<string, Map<string, string>>();

/** Named statements ("-- name: x") of a file in sql/. */
export function loadSqlFile(file: string): Map<string, string> {
  const hit = cache.get(file);
  if (hit) return hit;
  const text = readFileSync(path.join(sqlDir, file), 'utf8');
  const out = new Map<string, string>();
  let name: string | undefined;
  let body: string[] = [];
  const flush = () => {
    if (name) out.set(name, body.join('\n').trim());
  };
  for (const line of text.split(/\r?\n/)) {
    const m = /^--\s*name:\s*(\S+)/.exec(line);
    if (m) {
      flush();
      name = m[1];
      body = [];
    } else if (!line.startsWith('--')) body.push(line);
  }
  flush();
  cache.set(file, out);
  return out;
}

export function renderSql(template: string, values: Record<string, SqlValue | undefined>): string {
  const withOptional = template.replace(/\[\[([\s\S]*?)\]\]/g, (_m, seg: string) => {
    const names = [...seg.matchAll(/\{\{(\w+)\}\}/g)].map((x) => x[1] as string);
    return names.every((n) => values[n] !== undefined) ? seg : '';
  });
  return withOptional.replace(/\{\{(\w+)\}\}/g, (_m, n: string) => {
    const v = values[n];
    if (v === undefined) throw new Error(`SQL template placeholder {{${n}}} has no value`);
    return quote(v);
  });
}

export function statement(file: string, name: string, values: Record<string, SqlValue | undefined>): string {
  const t = loadSqlFile(file).get(name);
  if (t === undefined) throw new Error(`no statement "${name}" in sql/${file}`);
  return renderSql(t, values);
}
