import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { precompress } from './scripts/precompress.ts';

// The dashboard is served by the hub from dashboard/dist at `/`. Everything is bundled (no CDN):
// the wall screens and phones may have no internet. The map (Leaflet) is split into its own chunk
// so the board and the worker view load without it. Each asset gets brotli and gzip copies beside
// it, which the hub sends to browsers that accept them.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [preact(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 250,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
