import type { Me } from '../../../hub/src/api/auth/me.ts';
import { createStore } from '../store.ts';
import { api } from './client.ts';
import { ApiError, ok, onUnauthorized } from './http.ts';

export type { Me };
export type Role = Me['roles'][number]['role'];

/** undefined: not known yet (checking the cookie); null: signed out. */
export const sessionStore = createStore<Me | null | undefined>(undefined);

onUnauthorized(() => sessionStore.set(null));

/** Asks the hub who the session cookie belongs to. */
export async function loadSession(): Promise<void> {
  try {
    sessionStore.set(await ok(api.api.me.$get()));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) sessionStore.set(null);
    else throw e;
  }
}

export async function login(username: string, password: string): Promise<Me> {
  const { me } = await ok(api.api.login.$post({ json: { username, password, mode: 'cookie' } }));
  sessionStore.set(me);
  return me;
}

export async function logout(): Promise<void> {
  try {
    await api.api.logout.$post();
  } finally {
    sessionStore.set(null);
  }
}

/** Roles that work from a phone in the field; a person with only these starts on the worker view. */
const FIELD_ROLES: readonly Role[] = ['grid-worker', 'grid-leader', 'patrol-member'];

export function isFieldOnly(me: Me): boolean {
  return me.roles.every((r) => FIELD_ROLES.includes(r.role));
}
