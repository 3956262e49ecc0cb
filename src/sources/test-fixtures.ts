/** Test fixtures for src/sources: real files in temp directories. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function tempDir(prefix = 'mmt-sources-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeFile(path: string, content: string | Uint8Array = 'x'): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/**
 * A GarminDevice.xml shaped like the one a Forerunner writes (GarminDevice v3 schema,
 * trimmed to a few data types). The StoreKey and Modulus are placeholders that must never
 * appear in anything the code returns.
 */
export function garminDeviceXml(opts: { id?: string; description?: string; activityPath?: string } = {}): string {
  const { id = '3412345678', description = 'Forerunner 255', activityPath = 'GARMIN/Activity' } = opts;
  return `<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<Device xmlns="http://www.garmin.com/xmlschemas/GarminDevice/v2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.garmin.com/xmlschemas/GarminDevice/v2 http://www.garmin.com/xmlschemas/GarminDevicev2.xsd">
  <Model>
    <PartNumber>006-B3992-00</PartNumber>
    <SoftwareVersion>1900</SoftwareVersion>
    <Description>${description}</Description>
  </Model>
  <Id>${id}</Id>
  <DisplayName>My &amp; Watch</DisplayName>
  <Extensions>
    <StoreKey>PLACEHOLDER-STOREKEY-SECRET</StoreKey>
    <Modulus>PLACEHOLDER-MODULUS-SECRET</Modulus>
  </Extensions>
  <MassStorageMode>
    <DataType>
      <Name>FIT_TYPE_1</Name>
      <File>
        <Specification><Identifier>http://www.garmin.com/xmlschemas/FIT</Identifier></Specification>
        <Location><Path>GARMIN</Path><BaseName>Device</BaseName><FileExtension>FIT</FileExtension></Location>
        <TransferDirection>OutputFromUnit</TransferDirection>
      </File>
    </DataType>
    <DataType>
      <Name>FIT_TYPE_4</Name>
      <File>
        <Specification><Identifier>http://www.garmin.com/xmlschemas/FIT</Identifier></Specification>
        <Location><Path>${activityPath}</Path><FileExtension>FIT</FileExtension></Location>
        <TransferDirection>OutputFromUnit</TransferDirection>
      </File>
    </DataType>
    <DataType>
      <Name>FIT_TYPE_5</Name>
      <File>
        <Specification><Identifier>http://www.garmin.com/xmlschemas/FIT</Identifier></Specification>
        <Location><Path>GARMIN/Workouts</Path><FileExtension>FIT</FileExtension></Location>
        <TransferDirection>InputOutput</TransferDirection>
      </File>
      <File>
        <Specification><Identifier>http://www.garmin.com/xmlschemas/FIT</Identifier></Specification>
        <Location><Path>GARMIN/NewFiles</Path><FileExtension>FIT</FileExtension></Location>
        <TransferDirection>InputToUnit</TransferDirection>
      </File>
    </DataType>
  </MassStorageMode>
</Device>
`;
}
