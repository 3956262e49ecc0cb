import { describe, expect, it } from 'vitest';
import { garminUnitIdFromUsbSerial, parseGarminDeviceXml, parseMtpHost } from './identity.js';
import { garminDeviceXml } from './test-fixtures.js';

describe('parseGarminDeviceXml', () => {
  it('takes the unit id, the model and the declared activity folder, nothing else', () => {
    const info = parseGarminDeviceXml(garminDeviceXml());
    expect(info).toEqual({ serial: '3412345678', model: 'Forerunner 255', activityPaths: ['GARMIN/Activity'] });
    expect(JSON.stringify(info)).not.toContain('PLACEHOLDER');
  });

  it('decodes entities and strips control characters from the model', () => {
    const info = parseGarminDeviceXml(garminDeviceXml({ description: 'f&#275;nix 7 &amp; co\u0007' }));
    expect(info.model).toBe('fēnix 7 & co');
  });

  it('ignores an <Id> that is not a plausible serial, and commented-out elements', () => {
    expect(parseGarminDeviceXml(garminDeviceXml({ id: '../../etc' })).serial).toBeUndefined();
    const commented = '<Device><!-- <Id>999</Id> --><Model><Description>Edge 530</Description></Model><Id>42</Id></Device>';
    expect(parseGarminDeviceXml(commented)).toEqual({ serial: '42', model: 'Edge 530', activityPaths: [] });
  });

  it('copes with garbage', () => {
    expect(parseGarminDeviceXml('')).toEqual({ activityPaths: [] });
    expect(parseGarminDeviceXml('<Device><Id>1<Id></Device')).toEqual({ activityPaths: [] });
  });
});

describe('parseMtpHost', () => {
  it('splits a gvfs name into vendor, model and serial; a Garmin USB serial becomes its unit id', () => {
    expect(parseMtpHost('mtp:host=Garmin_Forerunner_255_0000abcd1234')).toEqual({
      vendor: 'garmin',
      model: 'Forerunner 255',
      serial: String(0xabcd1234),
    });
  });

  it('reads the vendor from the USB id when gvfs had only ids', () => {
    expect(parseMtpHost('mtp:host=091e_51fb_0000d7975783')).toEqual({ vendor: 'garmin', serial: '3617019779' });
  });

  it('keeps other vendors\' serials as they are', () => {
    expect(parseMtpHost('mtp:host=Wahoo_Fitness_ELEMNT_BOLT_A1B2C3D4E5')).toEqual({
      vendor: 'wahoo',
      model: 'Fitness ELEMNT BOLT',
      serial: 'A1B2C3D4E5',
    });
    expect(parseMtpHost('mtp:host=SAMSUNG_SAMSUNG_Android_RF8N30TLG3M')).toEqual({
      model: 'SAMSUNG SAMSUNG Android',
      serial: 'RF8N30TLG3M',
    });
  });

  it('finds nothing in a bus address, and nothing in a name that is not MTP', () => {
    expect(parseMtpHost('mtp:host=%5Busb%3A001%2C007%5D')).toEqual({});
    expect(parseMtpHost('sftp:host=example.org')).toBeUndefined();
    expect(parseMtpHost('GARMIN')).toBeUndefined();
  });

  it('does not take a model number for a serial', () => {
    expect(parseMtpHost('mtp:host=Garmin_Forerunner_255')).toEqual({ vendor: 'garmin', model: 'Forerunner 255' });
  });
});

describe('garminUnitIdFromUsbSerial', () => {
  it('converts only the zero-padded hex form', () => {
    expect(garminUnitIdFromUsbSerial('0000d7975783')).toBe('3617019779');
    expect(garminUnitIdFromUsbSerial('3412345678')).toBeUndefined();
  });
});
