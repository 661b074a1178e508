#!/usr/bin/env node
// Renders media/icon.png (128x128, the Marketplace icon) from an SVG drawn here, with headless
// Chromium. Run it after changing the drawing; the PNG is committed.
import { writeFileSync } from 'node:fs';
import { CHROMIUM_BIN, ROOT } from './lib/codeServer.mjs';
import { join } from 'node:path';

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 24 24">
  <rect width="24" height="24" rx="5" fill="#0f3b57"/>
  <g fill="none" stroke="#6fd3ff" stroke-width="1.3" stroke-linejoin="round">
    <path d="M12 3.2 4.4 7.5v9L12 20.8l7.6-4.3v-9z"/><path d="M4.4 7.5 12 11.8l7.6-4.3M12 11.8v9"/>
  </g>
  <circle cx="12" cy="11.8" r="1.9" fill="#ffb347"/>
</svg>`;
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({
  executablePath: CHROMIUM_BIN,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: 128, height: 128 } });
writeFileSync(join(ROOT, 'media/icon.png'), png);
await browser.close();
console.log('wrote media/icon.png');
