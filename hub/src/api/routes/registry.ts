import { doc } from '../openapi.ts';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { ImportIssue } from '../../registry/import-errors.ts';
import { applyImport, type ImportFormat, parseImport } from '../../registry/import.ts';
import { registryDocumentSchema } from '../../registry/schema.ts';
import { generateSecret } from '../../registry/secrets.ts';
import { type ApiEnv, isAdminOf } from '../context.ts';
import type { ApiCore } from '../deps.ts';
import { type ApiIssue, apiError, notFound } from '../errors.ts';
import { importScopeIssues } from '../import-scope.ts';
import { idParam } from '../params.ts';
import { visibleDevice } from '../scope.ts';
import { invalidJson, zJson, zParam, zQuery } from '../validate.ts';

/** An import row problem as an API issue: path [section, index, field], plus its line and id. */
const rowIssue = (e: ImportIssue): ApiIssue => ({
  path:
    e.section === 'document'
      ? e.field
        ? [e.field]
        : []
      : [e.section, e.index, ...(e.field ? [e.field] : [])],
  code: 'invalid_row',
  message: e.reason,
  section: e.section,
  index: e.index,
  ...(e.line !== undefined ? { line: e.line } : {}),
  ...(e.id !== undefined ? { id: e.id } : {}),
  ...(e.field !== undefined ? { field: e.field } : {}),
});

/** Registry writes: admins of a unit change what lies within it. */
export function registryRoutes(core: ApiCore) {
  const importQuery = z.object({ sheet: z.enum(['households', 'devices']).optional() });
  return new Hono<ApiEnv>()
    .post(
      '/registry/import',
      doc('registry', 'Import the registry: one JSON document, or a households/devices CSV sheet', {
        body: registryDocumentSchema,
        description:
          'JSON (application/json, the schema below) or a CSV sheet (text/csv with ?sheet=households|devices). ' +
          'Everything is validated first; on any error every bad row is reported and nothing changes.',
      }),
      bodyLimit({
        maxSize: core.limits.importMaxBytes,
        onError: (c) =>
          apiError(
            c,
            413,
            'too_large',
            `an import may be at most ${core.limits.importMaxBytes} bytes; split it`,
          ),
      }),
      zQuery(importQuery),
      async (c) => {
        const p = c.get('principal');
        if (!p.roles.some((r) => r.role === 'admin')) {
          return apiError(
            c,
            403,
            'forbidden',
            'only admins may import the registry, within the units they administer',
          );
        }
        const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        const { sheet } = c.req.valid('query');
        let format: ImportFormat;
        if (type === 'application/json') format = { type: 'json' };
        else if (type === 'text/csv') format = sheet ? { type: 'csv', sheet } : { type: 'csv' };
        else
          return apiError(
            c,
            415,
            'unsupported_type',
            'send the registry as application/json, or a sheet as text/csv with ?sheet=households|devices',
          );
        const text = await c.req.text();
        if (format.type === 'json') {
          try {
            JSON.parse(text);
          } catch (e) {
            return invalidJson(c, (e as Error).message); // the one answer to a body that is not JSON
          }
        }
        const parsed = parseImport(text, format, core.registry);
        if (!parsed.ok) return invalid(c, parsed.errors);
        const d = parsed.doc;
        if (
          d.units.length +
            d.households.length +
            d.teams.length +
            d.devices.length +
            d.people.length +
            (d.rosters ? d.rosters.rotations.length + d.rosters.overrides.length : 0) ===
          0
        ) {
          return apiError(c, 422, 'empty_import', 'the document has no rows; nothing was imported');
        }
        const outside = importScopeIssues(core.registry, p, parsed.doc, parsed.lineOf);
        if (outside.length > 0) {
          return apiError(
            c,
            403,
            'forbidden',
            `${outside.length} row(s) lie outside the units you administer; nothing was imported`,
            outside.map(rowIssue),
          );
        }
        const r = await applyImport(core.registry, parsed, core.clock.now());
        if (!r.ok) return invalid(c, r.errors);
        core.log.info({ by: p.personId, summary: r.summary }, 'registry imported');
        return c.json({ ok: true as const, summary: r.summary, warnings: r.warnings }, 200);
      },
    )
    .post(
      '/devices/:id/secret',
      doc('registry', 'Rotate a device secret (printed once); closes its connections'),
      zParam(idParam),
      async (c) => {
        const p = c.get('principal');
        const { id } = c.req.valid('param');
        const seen = visibleDevice(core, p, id);
        if (!seen) return notFound(c, 'device', id);
        if (!isAdminOf(core.registry, p, seen.unit))
          return apiError(c, 403, 'forbidden', `you are not admin of ${seen.unit}, where ${id} belongs`);
        const secret = generateSecret();
        await core.registry.setDeviceSecretHash(id, core.registry.deviceSecretHash(secret), core.clock.now());
        core.log.info({ deviceId: id, by: p.personId }, 'device secret rotated');
        core.events.emit('device.revoked', { deviceId: id, reason: 'secret_rotated', at: core.clock.now() });
        c.header('Cache-Control', 'no-store');
        return c.json(
          {
            deviceId: id,
            secret,
            note: 'shown once: enter it on the device now; the old secret no longer works',
          },
          200,
        );
      },
    )
    .patch(
      '/devices/:id',
      doc('registry', 'Enable or disable a device; disabling closes its connections'),
      zParam(idParam),
      zJson(z.object({ enabled: z.boolean() }).strict()),
      async (c) => {
        const p = c.get('principal');
        const { id } = c.req.valid('param');
        const seen = visibleDevice(core, p, id);
        if (!seen) return notFound(c, 'device', id);
        if (!isAdminOf(core.registry, p, seen.unit))
          return apiError(c, 403, 'forbidden', `you are not admin of ${seen.unit}, where ${id} belongs`);
        const { enabled } = c.req.valid('json');
        await core.registry.setDeviceEnabled(id, enabled, core.clock.now());
        core.log.info({ deviceId: id, enabled, by: p.personId }, 'device enabled changed');
        if (!enabled)
          core.events.emit('device.revoked', { deviceId: id, reason: 'disabled', at: core.clock.now() });
        return c.json({ id, enabled }, 200);
      },
    );
}

function invalid(c: Parameters<typeof apiError>[0], errors: ImportIssue[]) {
  return apiError(
    c,
    422,
    'invalid_registry',
    `${errors.length} problem(s) found; nothing was imported`,
    errors.map(rowIssue),
  );
}
