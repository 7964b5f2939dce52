/**
 * One error shape for every HTTP answer: { statusCode, code, error, message, field? }.
 * Fastify's own errors are mapped to our codes; 4xx log at info, 5xx at error.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { STATUS_CODES } from 'node:http'
import {
  CH_ERR_BODY_TOO_LARGE,
  CH_ERR_MALFORMED_JSON,
  CH_ERR_UNSUPPORTED_MEDIA_TYPE,
  CH_ERR_VALIDATION,
} from '../../channels/errors.ts'
import { GW_ERR_INTERNAL, GW_ERR_ROUTE_NOT_FOUND } from '../errors.ts'
import type { Metrics } from './metrics.ts'

interface CodedError extends Error {
  code?: string
  statusCode?: number
  field?: string
  validation?: ValidationIssue[]
  headers?: Record<string, string>
}

interface ValidationIssue {
  keyword: string
  instancePath: string
  message?: string
  params: Record<string, unknown>
}

export interface ErrorBody {
  statusCode: number
  code: string
  error: string
  message: string
  field?: string
}

/** Translates fastify's and ajv's errors into ours; ours pass through. */
export function toCoded(err: CodedError, bodyLimit: number): CodedError {
  if (err.validation) {
    const issue = err.validation[0]
    const field = fieldOf(issue)
    const e = new CH_ERR_VALIDATION(`${field || 'body'} ${describe(issue)}`) as CodedError
    e.field = field || '/'
    return e
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new CH_ERR_UNSUPPORTED_MEDIA_TYPE('') as CodedError
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new CH_ERR_BODY_TOO_LARGE(bodyLimit) as CodedError
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new CH_ERR_MALFORMED_JSON('empty body') as CodedError
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new CH_ERR_MALFORMED_JSON('invalid JSON') as CodedError
  }
  if (err.statusCode === 404 && err.code === 'FST_ERR_NOT_FOUND') return new GW_ERR_ROUTE_NOT_FOUND('') as CodedError
  return err
}

function fieldOf(issue: ValidationIssue | undefined): string {
  if (!issue) return ''
  const base = issue.instancePath
  if (issue.keyword === 'required') return `${base}/${String(issue.params.missingProperty)}`
  if (issue.keyword === 'additionalProperties') return `${base}/${String(issue.params.additionalProperty)}`
  return base
}

function describe(issue: ValidationIssue | undefined): string {
  if (!issue) return 'is invalid'
  if (issue.keyword === 'required') return 'is required'
  if (issue.keyword === 'additionalProperties') return 'is not an allowed field'
  return issue.message ?? 'is invalid'
}

export function registerErrorHandler(app: FastifyInstance, opts: { bodyLimit: number; metrics: Metrics }): void {
  app.setErrorHandler((raw: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const err = toCoded(raw as CodedError, req.routeOptions?.bodyLimit ?? opts.bodyLimit)
    let status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
    let code = err.code && /^[A-Z]+_ERR_/.test(err.code) ? err.code : 'GW_ERR_INTERNAL'
    let message = err.message
    if (status >= 500 && code === 'GW_ERR_INTERNAL') {
      req.log.error({ err: raw }, 'unexpected error')
      message = new GW_ERR_INTERNAL().message
      status = 500
    } else if (status >= 500) {
      req.log.error({ code, err: { message: raw.message, code: raw.code } }, 'request failed')
    } else {
      req.log.info({ code, field: err.field }, 'request rejected')
    }
    if (code === 'GW_ERR_INTERNAL' && status < 500) code = 'GW_ERR_BAD_REQUEST'
    const channel = (req.routeOptions?.config as { channel?: string } | undefined)?.channel
    if (channel) opts.metrics.rejected.inc({ channel, reason: code })
    if (err.headers) void reply.headers(err.headers)
    if (status === 503 && !reply.hasHeader('retry-after')) void reply.header('Retry-After', '5')
    const body: ErrorBody = { statusCode: status, code, error: STATUS_CODES[status] ?? 'Error', message }
    if (err.field) body.field = err.field
    return reply.code(status).type('application/json; charset=utf-8').send(body)
  })

  app.setNotFoundHandler((req, reply) => {
    const err = new GW_ERR_ROUTE_NOT_FOUND(`${req.method} ${req.url.split('?')[0]}`)
    const body: ErrorBody = { statusCode: 404, code: err.code, error: 'Not Found', message: err.message }
    return reply.code(404).send(body)
  })
}
