/**
 * SCRAM-SHA-256 password verifiers (the format PostgreSQL stores in pg_authid), so CREATE ROLE /
 * ALTER ROLE never send the clear password (statement logs, pg_stat_activity). The keys are
 * derived from the password as PostgreSQL prepares it (saslprep.ts: SASLprep, or the raw password
 * when SASLprep refuses it), so the verifier is the one the server itself would compute.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { scramPassword } from './saslprep.js';

export function scramVerifier(password: string, iterations = 4096, salt: Buffer = randomBytes(16)): string {
  const salted = pbkdf2Sync(Buffer.from(scramPassword(password), 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
