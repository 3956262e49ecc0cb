import open from 'open';
import type { Io } from './io.js';

/**
 * How `login` and `setup` show the authorize URL: opened in the browser, or (no browser:
 * SSH, a script) alone on the first line of stdout, so a script or a person on another
 * machine can take it from there.
 */
export function presentAuthorizeUrl(io: Io, noBrowser: boolean): (url: string) => Promise<void> {
  return async (url) => {
    if (noBrowser) {
      io.out(url);
      io.log.info('open the URL above in a browser and approve mmt-sync; waiting…');
      return;
    }
    io.log.info(`opening your browser to approve mmt-sync; if it does not open, visit:\n${url}`);
    await open(url).catch((error: Error) => io.log.warn(`could not open a browser (${error.message}); visit the URL above`));
  };
}
