import type { UnitNode } from '../api/registry.ts';
import type { PlaceStep } from './board/facts.ts';

/** Each unit of the trees with its ancestors, top down: grids share names (一组) across villages. */
export function unitPaths(roots: readonly UnitNode[]): Map<string, PlaceStep[]> {
  const out = new Map<string, PlaceStep[]>();
  const walk = (n: UnitNode, above: PlaceStep[]) => {
    const path = [...above, { id: n.id, level: n.level, name: n.name }];
    out.set(n.id, path);
    for (const c of n.children) walk(c, path);
  };
  for (const r of roots) walk(r, []);
  return out;
}
