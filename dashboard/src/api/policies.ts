import type { InferRequestType, InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { ok } from './http.ts';

/**
 * Escalation policies (the incidents module's /api/policies, issue #24), typed from the hub's
 * routes: what a unit's new incidents get per severity and where it comes from, the stored ones
 * with the defaults, the audit of every change; set and remove a unit's own.
 */
export type Effective = InferResponseType<typeof api.api.policies.effective.$get, 200>;
export type EffectivePolicy = NonNullable<Effective['policies'][keyof Effective['policies']]>;
export type PolicyPut = InferRequestType<typeof api.api.policies.$put>['json'];
/** One severity's values, as the hub's `escalationPolicySchema` takes them. */
export type PolicyValues = PolicyPut['policy'];
export type PolicySeverity = PolicyPut['severity'];
/** A policy as the hub answers it (defaults, effective, audit): the same values, read only. */
export type PolicyShown = Omit<PolicyValues, 'ackTimeoutMs'> & { ackTimeoutMs: readonly number[] };
export type Defaults = InferResponseType<typeof api.api.policies.$get, 200>['defaults'];
export type AuditRow = InferResponseType<typeof api.api.policies.audit.$get, 200>['items'][number];

/** Most urgent first, as the README's table and the hub's SEVERITIES list them. */
export const POLICY_SEVERITIES: readonly PolicySeverity[] = ['critical', 'high', 'medium', 'low'];

export const effectivePolicies = (unit: string) => ok(api.api.policies.effective.$get({ query: { unit } }));

/** The defaults every unit gets without a stored policy (the README's table). */
export const policyDefaults = async (): Promise<Defaults> => (await ok(api.api.policies.$get())).defaults;

export const policyAudit = async (): Promise<AuditRow[]> => (await ok(api.api.policies.audit.$get())).items;

export const setPolicy = (unit: string, severity: PolicySeverity, policy: PolicyValues) =>
  ok(api.api.policies.$put({ json: { unit, severity, policy } }));

export const removePolicy = (unit: string, severity: PolicySeverity) =>
  ok(api.api.policies.$delete({ query: { unit, severity } }));
