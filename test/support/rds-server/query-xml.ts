// The RDS Query API's XML: <ActionResponse><ActionResult>… with ResponseMetadata, and <ErrorResponse>.
import { randomUUID } from 'node:crypto'

const NS = 'http://rds.amazonaws.com/doc/2014-10-31/'

// Escapes text for an XML element.
export function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

// <Name>value</Name> for each defined field, nested objects as nested elements.
export function xmlFields(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${typeof v === 'object' && v !== null ? xmlFields(v as Record<string, unknown>) : xmlText(String(v))}</${k}>`)
    .join('')
}

// A successful response to `action` with its result body.
export function resultXml(action: string, result: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>\n`
}

// An error response as RDS sends it (Type Sender for the caller's faults, Receiver for the service's).
export function errorXml(code: string, message: string, type: 'Sender' | 'Receiver' = 'Sender'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${xmlText(code)}</Code><Message>${xmlText(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>\n`
}
