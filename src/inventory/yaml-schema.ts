// YAML as Ansible reads it: PyYAML's YAML 1.1 resolvers (`yes` is true, `022` is 18, `1e3` stays a
// string, `y` stays a string), which differ from the `yaml` package's own 1.1 schema in several places.
import { parseDocument, type Document, type ScalarTag, type Tags } from 'yaml'
import { exactInt } from './value.js'

const REPLACED = new Set(['bool', 'int', 'float', 'null', 'timestamp'].map((t) => `tag:yaml.org,2002:${t}`))

// PyYAML's sexagesimal `1:30:00` form, base 60.
function sexagesimal(text: string): number {
  return text.split(':').reduce((acc, part) => acc * 60 + Number.parseFloat(part), 0)
}

// Python ints are exact at any size: beyond 2^53 the value is a bigint (see value.ts).
function pyInt(text: string): number | bigint {
  const clean = text.replace(/_/g, '')
  const sign = clean.startsWith('-') ? -1n : 1n
  const body = clean.replace(/^[-+]/, '')
  if (body === '0') return 0
  if (body.includes(':')) return Number(sign) * sexagesimal(body)
  const digits = body.startsWith('0b') || body.startsWith('0x') ? body : body.startsWith('0') ? `0o${body.slice(1)}` : body
  return exactInt(sign * BigInt(digits))
}

function pyFloat(text: string): number {
  const clean = text.replace(/_/g, '').toLowerCase()
  const sign = clean.startsWith('-') ? -1 : 1
  const body = clean.replace(/^[-+]/, '')
  if (body === '.inf') return sign * Infinity
  if (body === '.nan') return Number.NaN
  if (body.includes(':')) return sign * sexagesimal(body)
  return sign * Number.parseFloat(body)
}

const scalar = (tag: string, test: RegExp, resolve: (s: string) => unknown): ScalarTag => ({ tag: `tag:yaml.org,2002:${tag}`, default: true, test, resolve })

const PYYAML_TAGS: ScalarTag[] = [
  scalar('null', /^(?:~|null|Null|NULL|)$/, () => null),
  scalar('bool', /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/, () => true),
  scalar('bool', /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/, () => false),
  scalar('int', /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/, pyInt),
  scalar('float', /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/, pyFloat),
]

// Ansible's own tags: `!unsafe` keeps the text; `!vault` is printed by ansible-inventory as {__ansible_vault: text}.
const ANSIBLE_TAGS: ScalarTag[] = [
  { tag: '!unsafe', resolve: (s) => s },
  { tag: '!vault', resolve: (s) => ({ __ansible_vault: s }) },
]

function customTags(tags: Tags): Tags {
  const kept = tags.filter((t) => typeof t === 'string' || !REPLACED.has(t.tag))
  return [...PYYAML_TAGS, ...ANSIBLE_TAGS, ...kept]
}

// Parse YAML text with Ansible's YAML 1.1 rules; duplicate keys are allowed (the last wins), as in PyYAML.
// The yaml package makes an Error per bad token (a line of 100,000 quotes makes 50,000); without stack
// traces, which nobody reads here, that costs a quarter of the time.
export function parseAnsibleYaml(text: string): Document.Parsed {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return parseDocument(text, { version: '1.1', uniqueKeys: false, customTags, merge: true, prettyErrors: false, keepSourceTokens: false })
  } finally {
    Error.stackTraceLimit = limit
  }
}
