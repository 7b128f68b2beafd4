import { useEffect, useState } from 'preact/hooks';
import { mayEditPolicy } from '../../api/permissions.ts';
import { effectivePolicies, type PolicySeverity, policyDefaults } from '../../api/policies.ts';
import type { Me } from '../../api/session.ts';
import { useT } from '../../i18n/index.ts';
import type { Route } from '../../router.ts';
import { UnitSelect } from '../unit-picker.tsx';
import { useLoad } from '../use-load.ts';
import { useUnitIndex } from '../use-unit-index.ts';
import { DefaultsTable, EffectiveTable } from './effective-table.tsx';
import { PolicyAudit } from './policy-audit.tsx';
import { PolicyEditor } from './policy-editor.tsx';

/**
 * Escalation policies (#/policies, issue #24): for the unit the officer picks, what a new incident
 * gets per severity and where it comes from (the league default, a unit above, this unit); an
 * admin of the unit or above edits the levels or removes the unit's own; everyone who may see
 * the unit reads the defaults and every change (who, when, before → after).
 */
export function Policies({ me }: { me: Me; route: Route }) {
  const t = useT();
  const units = useUnitIndex();
  const [unit, setUnit] = useState('');
  const [editing, setEditing] = useState<PolicySeverity | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  /** The hub refused a removal: its words, until the next change or unit. */
  const [refused, setRefused] = useState<string | null>(null);
  const [version, setVersion] = useState(0); // a change was saved: read again
  useEffect(() => {
    if (!unit && units.roots?.[0]) setUnit(units.roots[0].id);
  }, [units.roots]);
  useEffect(() => {
    setEditing(null);
    setStatus(null);
    setRefused(null);
  }, [unit]);
  const effective = useLoad(() => (unit ? effectivePolicies(unit) : Promise.resolve(null)), [unit, version]);
  const defaults = useLoad(policyDefaults, []);
  const editable = mayEditPolicy(me, units.paths.get(unit) ?? []);
  const changed = (message: string) => {
    setEditing(null);
    setRefused(null);
    setStatus(message);
    setVersion((v) => v + 1);
  };
  const refusedNow = (message: string) => {
    setStatus(null);
    setRefused(message);
    setVersion((v) => v + 1); // what the page showed was out of date: read it again
  };
  const current = effective.data?.unit === unit ? effective.data : null;

  return (
    <section class="page policies" aria-labelledby="policies-title">
      <div class="section-head">
        <h1 id="policies-title" class="vhead">
          {t('pol.title')}
        </h1>
        <UnitSelect value={unit} onChange={setUnit} withAll={false} />
      </div>
      <p class="muted intro">{t('pol.intro')}</p>
      {!editable && (
        <p class="read-only" data-testid="policies-read-only">
          {t('pol.readOnly')}
        </p>
      )}
      {status && (
        <p class="ok" role="status" data-testid="policy-status">
          {status}
        </p>
      )}
      {refused && (
        <p class="error" role="alert" data-testid="policy-refused">
          {refused}
        </p>
      )}
      {effective.error && <p class="error">{t('common.error', { reason: effective.error })}</p>}
      {!current ? (
        <p>{t('common.loading')}</p>
      ) : (
        <EffectiveTable
          unit={unit}
          policies={current.policies}
          editable={editable}
          units={units}
          onEdit={(s) => {
            setStatus(null);
            setEditing(s);
          }}
          onRemoved={changed}
          onRefused={refusedNow}
        />
      )}
      {editing && current?.policies[editing] && (
        <PolicyEditor
          key={`${unit}-${editing}`}
          unit={unit}
          unitName={units.name(unit)}
          severity={editing}
          initial={current.policies[editing]!}
          onSaved={changed}
          onCancel={() => setEditing(null)}
        />
      )}
      {defaults.data && <DefaultsTable defaults={defaults.data} />}
      <PolicyAudit unit={unit} units={units} version={version} />
    </section>
  );
}
