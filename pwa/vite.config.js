import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const API_TARGET = process.env.GEBIEDSRADAR_API || 'http://127.0.0.1:8000';
const proxy = { '/api': { target: API_TARGET, changeOrigin: false } };

export default defineConfig({
  build: {
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0, // no data: URLs for assets; everything a file
  },
  server: { proxy },
  preview: { proxy },
  plugins: [
    // Not needed for unit tests.
    !process.env.VITEST &&
      VitePWA({
        strategies: 'generateSW',
        filename: 'sw.js', // served at /sw.js, scope /
        manifestFilename: 'manifest.webmanifest',
        // A new version waits until the outbox is empty or the user agrees (src/sw-update.js).
        registerType: 'prompt',
        injectRegister: false, // src/main.js registers it (no inline script: CSP)
        includeManifestIcons: false, // the glob below already has them
        manifest: {
          id: '/',
          name: 'Gebiedsradar',
          short_name: 'Gebiedsradar',
          description: 'Signalen uit de wijk melden en volgen, ook zonder internet. Voor gebiedsregisseurs van de gemeente Noordoostpolder.',
          lang: 'nl',
          dir: 'ltr',
          start_url: '/',
          scope: '/',
          display: 'standalone',
          orientation: 'portrait',
          theme_color: '#154273',
          background_color: '#f3f5f8',
          categories: ['government', 'productivity'],
          icons: [
            { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
            { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
            { src: '/icons/maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
            { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          ],
        },
        workbox: {
          // The app shell: everything the build emits (index.html, JS, CSS,
          // icons, manifest). Revisioned by content hash.
          globPatterns: ['**/*.{html,js,css,png,svg,ico}'], // + the manifest, added by the plugin
          globIgnores: ['sw.js', 'sw-sync.js', 'workbox-*.js'],
          // Offline, every navigation (e.g. /signalen/123) gets the shell...
          navigateFallback: '/index.html',
          // ...but never an API URL. /api/ is not precached and has no
          // runtime route, so it always goes straight to the network.
          navigateFallbackDenylist: [/^\/api(\/|$)/],
          runtimeCaching: [],
          cleanupOutdatedCaches: true,
          clientsClaim: true,
          skipWaiting: false, // activated by a SKIP_WAITING message from the page
          inlineWorkboxRuntime: true, // one file: /sw.js
          importScripts: ['/sw-sync.js'], // Background Sync wakes the app (public/sw-sync.js)
          sourcemap: false,
          mode: 'production',
        },
      }),
  ].filter(Boolean),
  test: {
    environment: 'node',
    include: ['test/**/*.test.js'],
    setupFiles: ['./test/setup.js'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
