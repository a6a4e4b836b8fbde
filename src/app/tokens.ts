import { LockergateError } from '../domain/errors.js';
import type { OperatorRole, OperatorToken } from '../domain/token.js';
import type { AppContext } from './context.js';
import { hashSecret, newId, newSecret } from './ids.js';

/** Operator tokens look like `lgo_<32 chars>`; the prefix makes a leaked one easy to scan for. */
export const OPERATOR_TOKEN_PREFIX = 'lgo_';

export async function createOperatorToken(ctx: AppContext, name: string, role: OperatorRole): Promise<{ token: OperatorToken; secret: string }> {
  const secret = `${OPERATOR_TOKEN_PREFIX}${newSecret(ctx.random, 24)}`;
  const token: OperatorToken = { id: newId(ctx.random, 'tok'), name, role, createdAt: ctx.clock.now(), revokedAt: null };
  await ctx.store.transact((tx) => {
    tx.tokens.insert(token, hashSecret(secret));
    tx.audit.append({ at: token.createdAt, actor: 'cli', action: 'token.create', target: token.id, details: { name, role } });
  });
  return { token, secret };
}

export async function authenticateOperator(ctx: AppContext, secret: string): Promise<OperatorToken | undefined> {
  if (!secret.startsWith(OPERATOR_TOKEN_PREFIX)) return undefined;
  return ctx.store.read((tx) => tx.tokens.byHash(hashSecret(secret)));
}

export async function revokeOperatorToken(ctx: AppContext, id: string): Promise<void> {
  const revoked = await ctx.store.transact((tx) => tx.tokens.revoke(id, ctx.clock.now()));
  if (!revoked) throw new LockergateError('UNAUTHENTICATED', `No active token "${id}".`);
}
