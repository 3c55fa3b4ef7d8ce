import type { Ctx } from '../../cli/context.js';
import { DtxError } from '../../core/errors.js';

export async function run(_ctx: Ctx): Promise<number> {
  throw new DtxError({ code: 'NOT_IMPLEMENTED', message: 'not implemented yet' });
}
