// @ts-check
// The versions the stand-in claims to be (compose v2.29 behaviour, docker CLI 28.2 messages).
export const COMPOSE_VERSION = '2.29.7'
export const DOCKER_VERSION = '28.2.2'
export const API_VERSION = '1.47'
