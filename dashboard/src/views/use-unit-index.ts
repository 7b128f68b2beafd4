import { useMemo } from 'preact/hooks';
import type { UnitNode } from '../api/registry.ts';
import { pick, useT } from '../i18n/index.ts';
import { PLACE_SEPARATOR, type PlaceStep } from './board/facts.ts';
import { useUnits } from './unit-picker.tsx';
import { unitPaths } from './unit-paths.ts';

export interface UnitIndex {
  /** The person's unit trees; null while loading. */
  roots: UnitNode[] | null;
  /** Each unit with its ancestors, top down. */
  paths: Map<string, PlaceStep[]>;
  /** A unit's name in the reader's language (its id when unknown). */
  name(id: string): string;
  /** `sumu › gacha › grid` below the person's top unit. */
  place(id: string): string;
}

/** The person's units by id, for views that show and check units by id (policies, drills). */
export function useUnitIndex(): UnitIndex {
  const t = useT();
  const roots = useUnits();
  const paths = useMemo(() => unitPaths(roots ?? []), [roots]);
  return useMemo(() => {
    const name = (id: string) => {
      const p = paths.get(id);
      return p ? pick(p[p.length - 1]!.name, t.lang) || id : id;
    };
    const place = (id: string) => {
      const p = paths.get(id);
      if (!p) return id;
      return p
        .slice(p.length > 1 ? 1 : 0)
        .map((u) => pick(u.name, t.lang))
        .join(PLACE_SEPARATOR);
    };
    return { roots, paths, name, place };
  }, [roots, paths, t.lang]);
}
