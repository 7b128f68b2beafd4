import type { Me } from '../../../hub/src/api/auth/me.ts';
import { createStore } from '../store.ts';
import { ApiError, onUnauthorized, request } from './http.ts';

export type { Me };
export type Role = Me['roles'][number]['role'];

/** undefined: not known yet (checking the cookie); null: signed out. */
export const sessionStore = createStore<Me | null | undefined>(undefined);

onUnauthorized(() => sessionStore.set(null));

/** Asks the hub who the session cookie belongs to. */
export async function loadSession(): Promise<void> {
  try {
    sessionStore.set(await request<Me>('/api/me'));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) sessionStore.set(null);
    else throw e;
  }
}

export async function login(username: string, password: string): Promise<Me> {
  const { me } = await request<{ me: Me }>('/api/login', { body: { username, password } });
  sessionStore.set(me);
  return me;
}

export async function logout(): Promise<void> {
  try {
    await request('/api/logout', { body: {} });
  } finally {
    sessionStore.set(null);
  }
}

/** Roles that work from a phone in the field; a person with only these starts on the worker view. */
const FIELD_ROLES: readonly Role[] = ['grid-worker', 'grid-leader', 'patrol-member'];

export function isFieldOnly(me: Me): boolean {
  return me.roles.every((r) => FIELD_ROLES.includes(r.role));
}
