/**
 * The media port (MediaControl): what the core asks of a media server (FreeSWITCH) and what it hears
 * back. Shaped by the IVR, the call router and the console; one adapter (gateway/telephony/freeswitch,
 * modesl). Nothing here knows of the event socket.
 */

/** An inbound call that the media server's dialplan parked for the gateway to drive. */
export interface InboundCall {
  callId: string
  /** The media server that carries the call; every later command for it goes there. */
  serverId: string
  /** The hotline the caller dialed (X-Hotline from the SIP edge, else the Request-URI user). */
  dialed: string
  /** The caller's number as signalled (not normalised); undefined when withheld. */
  callerNumber?: string
  /** The original called number when the carrier diverted the call (SIP Diversion). */
  diversion?: string
  /** Partner headers (User-to-User, Call-Info, Geolocation, X-*) as the server exposed them. */
  headers: Record<string, string>
  startedAt: Date
}

export type HangupCause = string

export type MediaEvent =
  | { type: 'call-arrived'; call: InboundCall }
  | { type: 'answered'; callId: string; serverId: string }
  | { type: 'dtmf'; callId: string; serverId: string; digit: string }
  | { type: 'bridged'; callId: string; serverId: string; otherCallId: string }
  | { type: 'unbridged'; callId: string; serverId: string }
  | { type: 'held'; callId: string; serverId: string; held: boolean }
  | { type: 'hangup'; callId: string; serverId: string; cause: HangupCause }
  /** The server stopped answering (or its socket died and did not come back in time). */
  | { type: 'server-down'; serverId: string }
  /** The server answers (again); `live` is every channel it carries now (`show channels`), to reconcile. */
  | { type: 'server-up'; serverId: string; live: LiveChannel[] }

/** A channel the media server reported on (re)connect. */
export interface LiveChannel {
  callId: string
  direction: 'inbound' | 'outbound'
  /** Destination number (for an inbound call, the number dialed). */
  dialed: string
  callerNumber?: string
  /** The application the channel runs now (park, playback, bridge ...). */
  application?: string
}

export interface PlayOptions {
  /** Wait until the media ends (true) or return once it started (false: music, broadcasts). */
  wait?: boolean
}

export interface CollectOptions {
  /** What to play while waiting for digits (a media string, see MediaControl.play). */
  prompt: string
  minDigits: number
  maxDigits: number
  tries: number
  timeoutMs: number
  /** Digits that end input early, e.g. '#'. */
  terminators?: string
  /** Accepted input, a regular expression over the digits. */
  pattern?: string
  /** Played after an invalid entry. */
  invalidPrompt?: string
}

export interface OriginateOptions {
  /** The server to originate on (a call-back or an agent leg goes where its caller is). */
  serverId: string
  /** Dial string: `user/1001`, `sofia/carrier/13800138000@carrier.example`, ... */
  target: string
  callerIdNumber: string
  callerIdName?: string
  timeoutSeconds: number
  /** Channel variables for the new leg (no commas, no braces). */
  vars?: Record<string, string>
  /** Give the new leg this id (so events can be matched before the originate answers). */
  callId?: string
  /** What the new leg does when answered; default `park`. e.g. `eavesdrop(<uuid>)`. */
  app?: string
}

/** Media strings: a file path, `tone_stream://...`, `local_stream://moh`, `phrase:<macro>:<arg>`. */
export interface MediaControl {
  /**
   * The gateway takes the call: the media server's timer for calls nobody drives (the dialplan's
   * sched_hangup after FS_PARK_TIMEOUT) is cancelled. Never fails the call.
   */
  take(serverId: string, callId: string): Promise<void>
  answer(serverId: string, callId: string): Promise<void>
  /** Plays media on the call (sendmsg execute playback); resolves when it ended, or at once with wait:false. */
  play(serverId: string, callId: string, media: string, opts?: PlayOptions): Promise<void>
  /** Plays the prompt and collects digits; resolves with the digits or '' when none were valid. */
  collect(serverId: string, callId: string, opts: CollectOptions): Promise<string>
  /** Records the caller into a file until a terminator, silence or maxSeconds; resolves when done. */
  recordMessage(serverId: string, callId: string, path: string, maxSeconds: number): Promise<void>
  /** Plays media over what the call is doing (an announcement over hold music), without waiting. */
  broadcast(serverId: string, callId: string, media: string): Promise<void>
  /** Stops whatever media the call is playing. */
  stopMedia(serverId: string, callId: string): Promise<void>
  /** Starts a new leg; resolves with its call id once it answered, rejects with MEDIA_ERR_ORIGINATE_FAILED (cause). */
  originate(opts: OriginateOptions): Promise<string>
  bridge(serverId: string, callId: string, otherCallId: string): Promise<void>
  /**
   * Hands the caller to a number outside (the `bridge` application with this dial string). Resolves
   * when the bridge ends (the call was connected and is over, or the caller hung up); rejects with
   * MEDIA_ERR_COMMAND (cause: NO_ANSWER, USER_BUSY ...) when the far end was never connected. A
   * `bridged` event tells the moment it connected.
   */
  transfer(serverId: string, callId: string, dialString: string): Promise<void>
  /** Takes the call out of its bridge and parks it (the other leg of the bridge is hung up). */
  park(serverId: string, callId: string): Promise<void>
  hangup(serverId: string, callId: string, cause?: HangupCause): Promise<void>
  hold(serverId: string, callId: string, on: boolean): Promise<void>
  startRecording(serverId: string, callId: string, path: string): Promise<void>
  stopRecording(serverId: string, callId: string, path: string): Promise<void>
  setVar(serverId: string, callId: string, name: string, value: string): Promise<void>
  getVar(serverId: string, callId: string, name: string): Promise<string | undefined>
  /** Ids of the servers that answer now. */
  upServers(): string[]
  subscribe(listener: (event: MediaEvent) => void): () => void
  close(): Promise<void>
}
