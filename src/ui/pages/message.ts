import { html } from './html.js';
import type { Page } from './layout.js';

/** A short page that says one thing (not found, open the link); `standalone` needs no session. */
export function messagePage(title: string, text: string): Page & { readonly standalone: string } {
  const main = html`<h1>${title}</h1><p>${text}</p>`;
  const standalone = html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>${title} · mmt-sync</title><link rel="stylesheet" href="/static/app.css"></head><body><header class="top"><span class="brand">mmt-sync</span></header><main id="main">${main}</main></body></html>`;
  return { title, section: undefined, main, standalone: standalone.text };
}
