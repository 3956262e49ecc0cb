/**
 * Who a mounted device is, from the little it tells us: Garmin's GarminDevice.xml, or the
 * name gvfs gives an MTP mount. Pure string work, no I/O.
 */

export interface GarminDeviceInfo {
  /** `<Device><Id>`: the unit id, decimal. */
  readonly serial?: string;
  /** `<Model><Description>`, e.g. "Forerunner 255". */
  readonly model?: string;
  /**
   * Where the unit says it writes activity files: the `<Path>` of each FIT_TYPE_4
   * `OutputFromUnit` file location, relative to the volume (e.g. `GARMIN/Activity`).
   * Unvalidated: the caller must keep it inside the volume.
   */
  readonly activityPaths: readonly string[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXmlText(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return safeCodePoint(parseInt(name.slice(2), 16)) ?? whole;
    if (name.startsWith('#')) return safeCodePoint(parseInt(name.slice(1), 10)) ?? whole;
    return ENTITIES[name] ?? whole;
  });
}

function safeCodePoint(code: number): string | undefined {
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

/** A value fit for a label: no control characters, no runaway length. */
function cleanText(raw: string, max: number): string | undefined {
  const text = decodeXmlText(raw).replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return text === '' ? undefined : text.slice(0, max);
}

/** The text of the first `<tag>` in `xml` (an optional namespace prefix allowed). */
function firstText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${tag}>([^<]*)</(?:[A-Za-z_][\\w.-]*:)?${tag}>`).exec(xml);
  return match?.[1];
}

function blocks(xml: string, tag: string): string[] {
  const pattern = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${tag}>([\\s\\S]*?)</(?:[A-Za-z_][\\w.-]*:)?${tag}>`, 'g');
  return [...xml.matchAll(pattern)].map((m) => m[1] ?? '');
}

/**
 * Reads only what naming a watch needs. The file also holds keys (`StoreKey`,
 * `Modulus`) that are never extracted, so they cannot reach a log.
 * Shape (GarminDevice v2/v3 schema): `<Device><Model><PartNumber/><SoftwareVersion/>
 * <Description/></Model><Id/>…<MassStorageMode><DataType><Name>FIT_TYPE_4</Name><File>
 * <Location><Path>GARMIN/Activity</Path>…</Location><TransferDirection>OutputFromUnit…`.
 */
export function parseGarminDeviceXml(xml: string): GarminDeviceInfo {
  const text = xml.replace(/<!--[\s\S]*?-->/g, '');
  // <Id> comes straight after <Model>, whose children have no <Id>, so the first is the unit's.
  const id = firstText(text, 'Id')?.trim();
  const serial = id && /^[0-9A-Za-z-]{1,32}$/.test(id) ? id : undefined;
  const modelBlock = blocks(text, 'Model')[0];
  const description = modelBlock !== undefined ? firstText(modelBlock, 'Description') : undefined;
  const model = description !== undefined ? cleanText(description, 80) : undefined;

  const activityPaths: string[] = [];
  for (const dataType of blocks(text, 'DataType')) {
    if (firstText(dataType, 'Name')?.trim() !== 'FIT_TYPE_4') continue;
    for (const file of blocks(dataType, 'File')) {
      const direction = firstText(file, 'TransferDirection')?.trim();
      if (direction !== 'OutputFromUnit' && direction !== 'InputOutput') continue;
      const path = cleanText(firstText(file, 'Path') ?? '', 200);
      if (path && !activityPaths.includes(path)) activityPaths.push(path);
    }
  }
  return { ...(serial ? { serial } : {}), ...(model ? { model } : {}), activityPaths };
}

export interface MtpHostInfo {
  readonly vendor?: string;
  readonly model?: string;
  readonly serial?: string;
}

export const MTP_HOST_PREFIX = 'mtp:host=';

/** USB vendor ids seen in gvfs names of the form `<vid>_<pid>_<serial>`. */
const USB_VENDORS: Record<string, string> = { '091e': 'garmin' };

const KNOWN_VENDORS = new Set(['garmin', 'wahoo', 'hammerhead', 'suunto', 'coros', 'polar']);

const VENDOR_NAMES: Record<string, string> = { garmin: 'Garmin', wahoo: 'Wahoo', hammerhead: 'Hammerhead', bryton: 'Bryton' };

export function vendorDisplayName(vendor: string): string {
  return VENDOR_NAMES[vendor] ?? vendor.charAt(0).toUpperCase() + vendor.slice(1);
}

const looksLikeSerial = (token: string): boolean => /^[0-9A-Za-z]{8,40}$/.test(token) && /\d/.test(token);

/**
 * Garmin's USB serial is its unit id in hex, zero-padded to 12 digits (0000d7975783 is
 * unit 3617019779), so an MTP-only sighting and GarminDevice.xml give the same id.
 */
export function garminUnitIdFromUsbSerial(serial: string): string | undefined {
  return /^0000[0-9a-fA-F]{8}$/.test(serial) ? String(parseInt(serial, 16)) : undefined;
}

/**
 * What the gvfs mount name says: `mtp:host=Garmin_Forerunner_255_0000abcd1234` (vendor,
 * product and serial strings with spaces as `_`), `mtp:host=091e_4c29_0000abcd1234`
 * (ids when the strings are missing) or `mtp:host=%5Busb%3A001%2C007%5D` (bus address
 * only: nothing). Undefined when `name` is not an MTP mount name.
 */
export function parseMtpHost(name: string): MtpHostInfo | undefined {
  if (!name.startsWith(MTP_HOST_PREFIX)) return undefined;
  let host = name.slice(MTP_HOST_PREFIX.length);
  try {
    host = decodeURIComponent(host);
  } catch {
    // Not percent-encoded after all; use it as it is.
  }
  if (/^\[usb:\d+,\d+\]$/.test(host)) return {};
  const tokens = host.split('_').filter((t) => t !== '');
  const [first, second] = tokens;
  if (first === undefined) return {};

  if (second !== undefined && /^[0-9a-fA-F]{4}$/.test(first) && /^[0-9a-fA-F]{4}$/.test(second)) {
    const vendor = USB_VENDORS[first.toLowerCase()];
    const serial = tokens.slice(2).join('_');
    return withSerial({ ...(vendor ? { vendor } : {}) }, serial && looksLikeSerial(serial) ? serial : undefined);
  }

  const rest = [...tokens];
  const vendor = KNOWN_VENDORS.has(first.toLowerCase()) ? (rest.shift(), first.toLowerCase()) : undefined;
  const last = rest[rest.length - 1];
  const serial = rest.length > 0 && last !== undefined && looksLikeSerial(last) && (vendor || rest.length > 1) ? rest.pop() : undefined;
  const model = rest.length > 0 ? rest.join(' ') : undefined;
  return withSerial({ ...(vendor ? { vendor } : {}), ...(model ? { model } : {}) }, serial);
}

function withSerial(info: MtpHostInfo, serial: string | undefined): MtpHostInfo {
  if (!serial) return info;
  const unitId = info.vendor === 'garmin' ? garminUnitIdFromUsbSerial(serial) : undefined;
  return { ...info, serial: unitId ?? serial };
}
