import type { AlertInput } from '../incidents/port.ts';
import type { Registry } from '../registry/registry.ts';
import type { NoticeRecord, NoticeStore } from './store.ts';

/**
 * An emergency notice still unread after its deadline becomes one visit task per grid, for the
 * grid worker on duty, listing the households to visit. Keyed per notice and grid, so a restart
 * or a second run never opens it twice.
 */
export function unreadTaskInputs(
  n: NoticeRecord,
  notices: NoticeStore,
  registry: Registry,
  now: number,
): AlertInput[] {
  const unread = notices.unreached(n.id, n.targets, 'read');
  const byGrid = new Map<string, typeof unread>();
  for (const h of unread) byGrid.set(h.grid, [...(byGrid.get(h.grid) ?? []), h]);
  return [...byGrid].map(([grid, households]) => {
    const names = households.map((h) => h.name).join('、');
    const title = n.texts.zh.length > 24 ? `${n.texts.zh.slice(0, 24)}…` : n.texts.zh;
    return {
      source: 'task',
      category: 'notice-unread',
      severity: n.priority === 'emergency' ? 'high' : 'medium',
      unitId: grid,
      key: `notice-unread:${n.id}:${grid}`,
      at: now,
      summary: {
        zh: `紧急通知未读：${households.length} 户需要上门告知（${names}）——「${title}」`,
        mn: `ᠶᠠᠭᠠᠷᠠᠯᠲᠠᠢ ᠮᠡᠳᠡᠭᠳᠡᠯ ᠢ ${households.length} ᠥᠷᠭᠡ ᠤᠩᠰᠢᠭᠠᠳᠤᠢ᠂ ᠭᠡᠷ ᠲᠤ ᠨᠢ ᠣᠴᠢᠵᠤ ᠮᠡᠳᠡᠭᠳᠡᠬᠦ ᠬᠡᠷᠡᠭᠲᠡᠢ`,
        en: `Emergency notice unread by ${households.length} household(s) in ${registry.getUnit(grid)?.name.en ?? grid}: visit ${households.map((h) => h.householdId).join(', ')}`,
      },
      details: {
        noticeId: n.id,
        households: households.map((h) => ({ id: h.householdId, name: h.name, phone: h.phone })),
      },
    } satisfies AlertInput;
  });
}
