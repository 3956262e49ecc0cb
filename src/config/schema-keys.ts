/** The shape of the config schema, for suggestions and for marking secrets. */
import { z } from 'zod';
import { configSchema } from './schema.js';

/** Through optional values and transforms to the schema beneath. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) current = current.unwrap() as z.core.$ZodType;
    else if (current instanceof z.ZodPipe) current = current.in as z.core.$ZodType;
    else return current;
  }
}

/** The schema of the setting at `path` as declared (list indexes step into the list's items), or undefined. */
function schemaAt(path: readonly PropertyKey[]): z.core.$ZodType | undefined {
  let current: z.core.$ZodType | undefined = configSchema;
  for (const key of path) {
    if (!current) return undefined;
    const here = unwrap(current);
    if (here instanceof z.ZodArray && typeof key === 'number') current = here.element as z.core.$ZodType;
    else if (here instanceof z.ZodObject && typeof key === 'string') current = (here.shape as Record<string, z.core.$ZodType>)[key];
    else return undefined;
  }
  return current;
}

/** The valid keys of the section at `path` ([] is the top level). */
export function keysAt(path: readonly PropertyKey[]): string[] {
  const schema = schemaAt(path);
  const section = schema && unwrap(schema);
  return section instanceof z.ZodObject ? Object.keys(section.shape) : [];
}

/** A setting declared with `.meta({ secret: true })`: shown redacted, never in full. */
export function isSecretSetting(path: readonly PropertyKey[]): boolean {
  const schema = schemaAt(path);
  if (!schema) return false;
  return Boolean(z.globalRegistry.get(schema)?.secret ?? z.globalRegistry.get(unwrap(schema))?.secret);
}
