// The dashboard's build: renderer/ → dist/renderer, served by core at / (and loaded by the desktop
// window). Relative asset URLs so the same build works from any base path or a file:// window.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('./renderer', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    // Keep the previous build's hashed assets: a page loaded before a rebuild still finds its files.
    emptyOutDir: false,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  // `npm run dev:renderer` proxies the API to a running `watchtower serve` on its default port.
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:7800', ws: true },
      '/healthz': 'http://127.0.0.1:7800',
    },
  },
});
