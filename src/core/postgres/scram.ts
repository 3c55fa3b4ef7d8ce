/**
 * SCRAM-SHA-256 password verifiers (the format PostgreSQL stores in pg_authid), so CREATE ROLE /
 * ALTER ROLE never send the clear password (statement logs, pg_stat_activity).
 * Only used for printable-ASCII passwords: for those SASLprep is the identity, so every client
 * (node-postgres, pgjdbc) derives the same keys. Others are sent as a literal for the server to hash.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export function canPrehash(password: string): boolean {
  return /^[\x20-\x7e]+$/.test(password);
}

export function scramVerifier(password: string, iterations = 4096, salt: Buffer = randomBytes(16)): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
