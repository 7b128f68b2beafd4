import { describe, expect, it } from 'vitest';
import type { UnitNode } from '../api/registry.ts';
import { placeLine } from './board/facts.ts';
import { unitPaths } from './unit-paths.ts';

const u = (id: string, level: UnitNode['level'], zh: string, children: UnitNode[] = []): UnitNode => ({
  id,
  level,
  name: { zh, mn: zh, en: zh },
  children,
});

describe('unitPaths', () => {
  it('tells two villages\u2019 一组 apart', () => {
    const tree = u('b', 'banner', '乌拉特中旗', [
      u('s', 'sumu', '巴音乌兰苏木', [
        u('g1', 'gacha', '巴音哈太嘎查', [u('g1-1', 'grid', '一组')]),
        u('g2', 'gacha', '乌兰嘎查', [u('g2-1', 'grid', '一组')]),
      ]),
    ]);
    const paths = unitPaths([tree]);
    expect(placeLine(paths.get('g1-1'), undefined, 'zh')).toBe('巴音乌兰苏木 › 巴音哈太嘎查 › 一组');
    expect(placeLine(paths.get('g2-1'), undefined, 'zh')).toBe('巴音乌兰苏木 › 乌兰嘎查 › 一组');
    expect(placeLine(paths.get('b'), undefined, 'zh')).toBe('乌拉特中旗');
  });
});
