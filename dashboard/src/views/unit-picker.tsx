import { useEffect, useState } from 'preact/hooks';
import { flattenUnits, type UnitNode, unitTree } from '../api/registry.ts';
import { pick, useT } from '../i18n/index.ts';

let cached: Promise<UnitNode[]> | null = null;
/** The person's unit trees, fetched once per page load. */
export function useUnits(): UnitNode[] | null {
  const [roots, setRoots] = useState<UnitNode[] | null>(null);
  useEffect(() => {
    let alive = true;
    cached ??= unitTree().catch((e) => {
      cached = null;
      throw e;
    });
    cached.then((r) => alive && setRoots(r)).catch(() => alive && setRoots([]));
    return () => {
      alive = false;
    };
  }, []);
  return roots;
}

/** A select of the person's units, indented by level; '' means all of them (unless `withAll` is false). */
export function UnitSelect({
  value,
  onChange,
  name = 'unit',
  allLabel,
  withAll = true,
  id,
}: {
  value: string;
  onChange: (unitId: string) => void;
  name?: string;
  allLabel?: string;
  /** False where one unit must be chosen (a policy, a drill): no "all" entry. */
  withAll?: boolean;
  /** For a visible `<label for>`; without it the select is named by aria-label. */
  id?: string;
}) {
  const t = useT();
  const roots = useUnits();
  return (
    <select
      name={name}
      id={id}
      value={value}
      aria-label={id ? undefined : t('common.unit')}
      onChange={(e) => onChange(e.currentTarget.value)}
    >
      {withAll && <option value="">{allLabel ?? t('common.all')}</option>}
      {flattenUnits(roots ?? []).map(({ unit, depth }) => (
        <option key={unit.id} value={unit.id}>
          {'\u2003'.repeat(depth)}
          {pick(unit.name, t.lang)}
        </option>
      ))}
    </select>
  );
}
