import { configSchema, type DeviceConfig, type Lang } from '@steppelink/protocols';
import type { OutboxStore } from './outbox/port.ts';
import { z } from 'zod';
import { EDGE_DEFAULTS } from './defaults.ts';

/** Agent settings; the ones in RuntimeSettings may be changed by a config downlink. */
export interface AgentSettings {
  hbIntervalS: number;
  posIntervalS: number;
  byteBudgetPerMin: number | null;
  /** Household language for the TV page: Chinese or traditional Mongolian (English is always shown too). */
  lang: Exclude<Lang, 'en'> | 'en';
  posBatchMaxFixes: number;
  posBatchMaxAgeS: number;
  grazingBatchMaxReadings: number;
  grazingBatchMaxAgeS: number;
  maxInflight: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  connectTimeoutMs: number;
  keepaliveS: number;
  sosCancelConfirmMs: number;
  sosRepressMinMs: number;
  sosRetryMs: number;
  storageProbeMs: number;
}

export type RuntimeSettings = Pick<
  AgentSettings,
  'hbIntervalS' | 'posIntervalS' | 'byteBudgetPerMin' | 'lang'
>;

export function resolveSettings(partial: Partial<AgentSettings> = {}): AgentSettings {
  const d = EDGE_DEFAULTS;
  return {
    hbIntervalS: d.hbIntervalS,
    posIntervalS: d.posIntervalS,
    byteBudgetPerMin: d.byteBudgetPerMin,
    lang: 'zh',
    posBatchMaxFixes: d.posBatchMaxFixes,
    posBatchMaxAgeS: d.posBatchMaxAgeS,
    grazingBatchMaxReadings: d.grazingBatchMaxReadings,
    grazingBatchMaxAgeS: d.grazingBatchMaxAgeS,
    maxInflight: d.maxInflight,
    reconnectInitialMs: d.reconnectInitialMs,
    reconnectMaxMs: d.reconnectMaxMs,
    connectTimeoutMs: d.connectTimeoutMs,
    keepaliveS: d.keepaliveS,
    sosCancelConfirmMs: d.sosCancelConfirmMs,
    sosRepressMinMs: d.sosRepressMinMs,
    sosRetryMs: d.sosRetryMs,
    storageProbeMs: d.storageProbeMs,
    ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)),
  };
}

/** The fields of a config downlink that change runtime settings (absent fields keep their value). */
export function runtimePatch(c: DeviceConfig): Partial<RuntimeSettings> {
  const p: Partial<RuntimeSettings> = {};
  if (c.hbIntervalS !== undefined) p.hbIntervalS = c.hbIntervalS;
  if (c.posIntervalS !== undefined) p.posIntervalS = c.posIntervalS;
  if (c.byteBudgetPerMin !== undefined) p.byteBudgetPerMin = c.byteBudgetPerMin;
  if (c.lang !== undefined) p.lang = c.lang;
  return p;
}

/** Runtime settings as persisted after a config downlink (validated again when read back). */
export const savedRuntimeSchema = configSchema
  .pick({ hbIntervalS: true, posIntervalS: true, byteBudgetPerMin: true, lang: true })
  .extend({ byteBudgetPerMin: z.number().int().min(256).nullable().optional() });

const META_KEY = 'config';

/** Runtime settings from the last config downlinks, kept in the outbox database. */
export function loadRuntime(store: Pick<OutboxStore, 'getMeta'>): Partial<RuntimeSettings> {
  let raw: unknown;
  try {
    raw = JSON.parse(store.getMeta(META_KEY) ?? '{}');
  } catch {
    return {};
  }
  const parsed = savedRuntimeSchema.safeParse(raw);
  return parsed.success ? parsed.data : {};
}

export function saveRuntime(
  store: Pick<OutboxStore, 'getMeta' | 'setMeta'>,
  patch: Partial<RuntimeSettings>,
): void {
  store.setMeta(META_KEY, JSON.stringify({ ...loadRuntime(store), ...patch }));
}
