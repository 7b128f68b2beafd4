import type { Lang } from '@steppelink/protocols';

/** What the short-message path reads from the registry (any registry adapter has these, sync). */
export interface RegistryReads {
  getDevice(id: string): { id: string; enabled: boolean; household: string | null } | undefined;
  getHousehold(id: string): { lang: Lang } | undefined;
}
