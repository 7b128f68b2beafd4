import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** What axe found, one line per violation and node: `rule (impact): selector — summary`. */
export interface A11yFinding {
  rule: string;
  impact: string;
  target: string;
  summary: string;
}

/** WCAG 2.x A and AA rules, plus axe's best practices the audit relied on (landmarks, one h1). */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/**
 * Runs axe-core on the page as it is now and returns its critical and serious violations (the
 * issue's bar: none on any view). Moderate and minor findings are returned when asked for.
 */
export async function axeViolations(
  page: Page,
  o: { impacts?: readonly string[]; exclude?: string[] } = {},
): Promise<A11yFinding[]> {
  const impacts = o.impacts ?? ['critical', 'serious'];
  let builder = new AxeBuilder({ page }).withTags(TAGS);
  for (const sel of o.exclude ?? []) builder = builder.exclude(sel);
  const r = await builder.analyze();
  return r.violations
    .filter((v) => impacts.includes(v.impact ?? ''))
    .flatMap((v) =>
      v.nodes.map((n) => ({
        rule: v.id,
        impact: v.impact ?? '',
        target: n.target.join(' '),
        summary: (n.failureSummary ?? v.help).split('\n').slice(0, 2).join(' '),
      })),
    );
}
