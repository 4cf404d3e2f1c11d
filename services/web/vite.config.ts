import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Vite: `vite build` → `services/web/dist` (served at `/` by the embedded runtime / the api-gateway);
 * `vite` (dev server) proxies `/api` to the platform on http://localhost:3000 (`API_URL` overrides it).
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/api': { target: process.env.API_URL ?? 'http://localhost:3000', changeOrigin: false } } },
});
