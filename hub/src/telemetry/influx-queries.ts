import type { InfluxHttp } from './influx-http.ts';
import { quote } from './influx-http.ts';
import { grazingFromRow, healthFromRow, MEASUREMENT, positionFromRow, seriesRows } from './influx-lines.ts';
import type { GrazingPoint, GrazingQuery, HealthPoint, PositionPoint, TrackQuery } from './port.ts';
import { checkMaxPoints, createThinner } from './thin.ts';

/** InfluxQL reads of the port. Times are ms literals (`1764028800000ms`), answers use epoch=ms. */
export interface InfluxQueryOptions {
  /** rows per request when reading a long track */
  pageRows: number;
  /** device ids per `latest` statement */
  idsPerStatement: number;
}

const timeRange = (from: number, to: number) =>
  `time >= ${Math.floor(from)}ms AND time <= ${Math.floor(to)}ms`;

const byT =
  <T extends { t: number }>(key: (p: T) => string) =>
  (a: T, b: T) =>
    a.t - b.t || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export async function queryTrack(
  http: InfluxHttp,
  q: TrackQuery,
  o: InfluxQueryOptions,
): Promise<PositionPoint[]> {
  if (q.maxPoints !== undefined) checkMaxPoints(q.maxPoints);
  if (q.to < q.from) return [];
  let where = `device = ${quote(q.deviceId)} AND ${timeRange(q.from, q.to)}`;
  if (q.subject !== undefined) where += ` AND subject = ${quote(q.subject)}`;
  let thinner: { keep(t: number): boolean } | undefined;
  if (q.maxPoints !== undefined) {
    // selectors without GROUP BY time() answer with the selected point's own time
    const [count, first, last] = await http.query([
      `SELECT count(lat) FROM ${MEASUREMENT.pos} WHERE ${where}`,
      `SELECT first(lat) FROM ${MEASUREMENT.pos} WHERE ${where}`,
      `SELECT last(lat) FROM ${MEASUREMENT.pos} WHERE ${where}`,
    ]);
    const n = Number(count?.series?.[0]?.values[0]?.[1] ?? 0);
    const firstT = Number(first?.series?.[0]?.values[0]?.[0]);
    const lastT = Number(last?.series?.[0]?.values[0]?.[0]);
    if (n > q.maxPoints) thinner = createThinner(firstT, lastT, q.maxPoints);
  }
  const out: PositionPoint[] = [];
  for (let offset = 0; ; offset += o.pageRows) {
    const [r] = await http.query(
      `SELECT * FROM ${MEASUREMENT.pos} WHERE ${where} ORDER BY time ASC LIMIT ${o.pageRows} OFFSET ${offset}`,
    );
    const rows = seriesRows(r?.series).map(positionFromRow);
    rows.sort(byT((p) => p.subject ?? ''));
    for (const p of rows) if (!thinner || thinner.keep(p.t)) out.push(p);
    if (rows.length < o.pageRows) break;
  }
  return out;
}

async function latest<T>(
  http: InfluxHttp,
  measurement: string,
  ids: string[] | undefined,
  o: InfluxQueryOptions,
  map: (r: Record<string, unknown>) => T,
): Promise<T[]> {
  const select = (where: string) =>
    `SELECT * FROM ${measurement}${where} GROUP BY device ORDER BY time DESC LIMIT 1`;
  const statements: string[] = [];
  if (ids === undefined) statements.push(select(''));
  else {
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += o.idsPerStatement) {
      const chunk = unique.slice(i, i + o.idsPerStatement);
      statements.push(select(` WHERE (${chunk.map((d) => `device = ${quote(d)}`).join(' OR ')})`));
    }
  }
  const out: T[] = [];
  for (const s of statements) {
    const [r] = await http.query(s);
    out.push(...seriesRows(r?.series).map(map));
  }
  return out;
}

export async function queryLatestPositions(
  http: InfluxHttp,
  ids: string[] | undefined,
  o: InfluxQueryOptions,
) {
  const rows = await latest(http, MEASUREMENT.pos, ids, o, positionFromRow);
  return rows.sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
}

export async function queryLatestHealth(
  http: InfluxHttp,
  ids: string[] | undefined,
  o: InfluxQueryOptions,
): Promise<HealthPoint[]> {
  const rows = await latest(http, MEASUREMENT.health, ids, o, healthFromRow);
  return rows.sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
}

export async function queryGrazing(http: InfluxHttp, q: GrazingQuery): Promise<GrazingPoint[]> {
  if (q.to < q.from) return [];
  const [r] = await http.query(
    `SELECT * FROM ${MEASUREMENT.grazing} WHERE device = ${quote(q.deviceId)} AND ${timeRange(q.from, q.to)}`,
  );
  return seriesRows(r?.series)
    .map(grazingFromRow)
    .sort(byT((g) => `${g.type}\u0000${g.sensorId}`));
}

/** Counts, then deletes, every point older than `cutoff` in the three measurements. */
export async function deleteOlderThan(http: InfluxHttp, cutoff: number): Promise<number> {
  const ms = [MEASUREMENT.pos, MEASUREMENT.health, MEASUREMENT.grazing];
  const counts = await http.query(
    ms.map((m) => `SELECT count(msgId) FROM ${m} WHERE time < ${Math.floor(cutoff)}ms`),
  );
  const n = counts.reduce((a, r) => a + Number(r.series?.[0]?.values[0]?.[1] ?? 0), 0);
  if (n > 0) await http.query(ms.map((m) => `DELETE FROM ${m} WHERE time < ${Math.floor(cutoff)}ms`));
  return n;
}
