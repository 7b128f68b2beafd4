import { doc } from '../openapi.ts';
import { Hono } from 'hono';
import { z } from 'zod';
import { deviceAccount, normalizeAddress, personAccount } from '../../auth/guard.ts';
import type { ApiEnv } from '../context.ts';
import type { ApiCore } from '../deps.ts';
import { apiError } from '../errors.ts';
import { zJson } from '../validate.ts';
import { isTopAdmin } from './principal.ts';
import { administers } from './tokens.ts';

const unblockSchema = z
  .object({
    username: z.string().min(1).max(64).optional(),
    device: z.string().min(1).max(64).optional(),
    address: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((b) => [b.username, b.device, b.address].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of username, device, address',
  });

/**
 * The operator's view of sign-in throttling: which accounts, addresses and known clients must
 * wait now (top admins), and unblocking one. A person is unblocked by an admin of all their
 * units (as for API tokens); a device or an address by a top (league) admin.
 */
export function throttleRoutes(core: ApiCore) {
  const limiter = core.guard.limiter;
  return new Hono<ApiEnv>()
    .get(
      '/auth/throttled',
      doc('auth', 'Accounts, devices and addresses that must wait before signing in again (top admins)'),
      (c) => {
        if (!isTopAdmin(core.registry, c.get('principal')))
          return apiError(c, 403, 'forbidden', 'only a top-level admin sees sign-in throttling');
        return c.json({ items: limiter.throttled() }, 200);
      },
    )
    .post(
      '/auth/unblock',
      doc('auth', 'Clear the sign-in throttling of a person, device or address'),
      zJson(unblockSchema),
      (c) => {
        const p = c.get('principal');
        const b = c.req.valid('json');
        const top = isTopAdmin(core.registry, p);
        let cleared: number;
        if (b.username !== undefined) {
          const person = core.registry.personByUsername(b.username);
          if (!top && !(person && administers(core.registry, p, person)))
            return apiError(c, 403, 'forbidden', `you are not admin of every unit of ${b.username}`);
          cleared = limiter.unblock({ account: personAccount(b.username) });
        } else if (!top) {
          return apiError(c, 403, 'forbidden', 'only a top-level admin unblocks a device or an address');
        } else if (b.device !== undefined) {
          cleared = limiter.unblock({ account: deviceAccount(b.device) });
        } else {
          cleared = limiter.unblock({ address: normalizeAddress(b.address) });
        }
        core.log.info({ by: p.personId, ...b, cleared }, 'sign-in throttling cleared by an operator');
        return c.json({ ok: true as const, cleared }, 200);
      },
    );
}
