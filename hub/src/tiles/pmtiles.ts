import { type FileHandle, open } from 'node:fs/promises';
import { PMTiles, type RangeResponse, type Source, TileType } from 'pmtiles';

/**
 * The operator's offline tile archive (a PMTiles v3 file, e.g. one cut from an OpenStreetMap or
 * satellite extract for the two banners), read with the `pmtiles` package from local disk and
 * served by the hub at `/tiles/{z}/{x}/{y}.{ext}` so Leaflet draws it like any tile layer — no
 * internet at run time. Raster archives (PNG, JPEG, WebP, AVIF); a vector (MVT) archive is
 * refused with a sentence saying so, since the dashboard draws no vector tiles.
 */
export interface TileArchive {
  ext: 'png' | 'jpg' | 'webp' | 'avif';
  contentType: string;
  minZoom: number;
  maxZoom: number;
  /** The tile's bytes, or undefined when the archive has none there. */
  tile(z: number, x: number, y: number): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

const RASTER: Partial<Record<TileType, { ext: TileArchive['ext']; contentType: string }>> = {
  [TileType.Png]: { ext: 'png', contentType: 'image/png' },
  [TileType.Jpeg]: { ext: 'jpg', contentType: 'image/jpeg' },
  [TileType.Webp]: { ext: 'webp', contentType: 'image/webp' },
  [TileType.Avif]: { ext: 'avif', contentType: 'image/avif' },
};

/** pmtiles' Source over a local file (its own FileSource is the browser's File API). */
class LocalFileSource implements Source {
  private handle: Promise<FileHandle> | undefined;
  constructor(private readonly path: string) {}
  getKey(): string {
    return this.path;
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    this.handle ??= open(this.path, 'r');
    const buf = Buffer.alloc(length);
    const { bytesRead } = await (await this.handle).read(buf, 0, length, offset);
    return { data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytesRead) as ArrayBuffer };
  }
  async close(): Promise<void> {
    if (this.handle) await (await this.handle).close();
  }
}

export async function openTileArchive(path: string): Promise<TileArchive> {
  const source = new LocalFileSource(path);
  const archive = new PMTiles(source);
  let header: Awaited<ReturnType<PMTiles['getHeader']>>;
  try {
    header = await archive.getHeader();
  } catch (e) {
    await source.close();
    throw new Error(
      `${path} is not a PMTiles v3 archive (${e instanceof Error ? e.message : e}); give a .pmtiles file`,
    );
  }
  const kind = RASTER[header.tileType];
  if (!kind) {
    await source.close();
    throw new Error(
      `${path} holds ${header.tileType === TileType.Mvt ? 'vector (MVT)' : 'unknown'} tiles; the dashboard draws raster tiles: give a PNG, JPEG, WebP or AVIF archive`,
    );
  }
  return {
    ...kind,
    minZoom: header.minZoom,
    maxZoom: header.maxZoom,
    async tile(z, x, y) {
      if (z < header.minZoom || z > header.maxZoom) return undefined;
      const t = await archive.getZxy(z, x, y);
      return t ? new Uint8Array(t.data) : undefined;
    },
    close: () => source.close(),
  };
}
