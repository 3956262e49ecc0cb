import { MessageLog } from './message-log.js';
import { BASE_TYPE_SIZE, DEVELOPER_DATA_ID, FIELD_DESCRIPTION, MESG_DEVELOPER_DATA_ID, MESG_FIELD_DESCRIPTION } from './profile.js';
import { readField } from './values.js';

/**
 * Developer data messages a repair must not keep, because they would spoil the decoding of
 * the developer fields that are fine:
 * - a developer_data_id or field_description without a developer data index
 *   (@garmin/fitsdk throws on it);
 * - a field_description naming a base type the protocol does not have (the SDK throws on
 *   every field it describes);
 * - one that redefines an index (or an index's field) already defined otherwise: a device
 *   defines each once, and a decoder that meets the second forgets the first, so garbled
 *   bytes read as one would take every real developer field after it down.
 * Marks them DROP and returns how many.
 */
const LATIN1 = new TextDecoder('latin1');
const HIGHEST_BASE_TYPE = BASE_TYPE_SIZE.length - 1;

export function dropUnreadableDeveloperData(log: MessageLog, view: DataView, bytes: Uint8Array): number {
  const defined = new Map<string, string>();
  let dropped = 0;
  for (let i = 0; i < log.length; i++) {
    const def = log.definitionOf(i);
    const description = def.global === MESG_FIELD_DESCRIPTION;
    if (!description && def.global !== MESG_DEVELOPER_DATA_ID) continue;
    if (log.flags[i]! & MessageLog.DROP) continue;
    const pos = log.pos[i]!;
    const index = readField(view, def, pos, description ? FIELD_DESCRIPTION.developerDataIndex : DEVELOPER_DATA_ID.developerDataIndex);
    const baseType = description ? readField(view, def, pos, FIELD_DESCRIPTION.fitBaseTypeId) : NaN;
    const key = description ? `${index}:${readField(view, def, pos, FIELD_DESCRIPTION.fieldDefinitionNumber)}` : `${index}`;
    // The definition's layout (less its local type) and the message's bytes: the same content, however often repeated.
    const content = LATIN1.decode(bytes.subarray(def.at + 1, def.end)) + LATIN1.decode(bytes.subarray(pos, pos + def.size));
    const earlier = defined.get(`${def.global}:${key}`);
    if (index !== index || (baseType & 0x1f) > HIGHEST_BASE_TYPE || (earlier !== undefined && earlier !== content)) {
      log.flags[i]! |= MessageLog.DROP;
      dropped++;
    } else {
      defined.set(`${def.global}:${key}`, content);
    }
  }
  return dropped;
}
