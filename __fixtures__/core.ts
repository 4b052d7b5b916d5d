// A stand-in for @actions/core, as in GitHub's actions/typescript-action template: a test
// hands this module to jest.unstable_mockModule('@actions/core', () => core) before it
// imports the action, then reads what the action said to the runner from the mocks.
// Every function of @actions/core that src/action calls is here.
import type * as core from '@actions/core'
import { jest } from '@jest/globals'

export const getInput = jest.fn<typeof core.getInput>()
export const setSecret = jest.fn<typeof core.setSecret>()
export const setOutput = jest.fn<typeof core.setOutput>()
export const setFailed = jest.fn<typeof core.setFailed>()
export const debug = jest.fn<typeof core.debug>()
export const info = jest.fn<typeof core.info>()
export const notice = jest.fn<typeof core.notice>()
export const warning = jest.fn<typeof core.warning>()
export const error = jest.fn<typeof core.error>()
export const startGroup = jest.fn<typeof core.startGroup>()
export const endGroup = jest.fn<typeof core.endGroup>()

/** The part of core.summary the action uses. */
interface Summary {
  emptyBuffer: jest.Mock<() => Summary>
  addRaw: jest.Mock<(text: string, addEOL?: boolean) => Summary>
  write: jest.Mock<(options?: { overwrite?: boolean }) => Promise<Summary>>
}

/** The job summary: emptyBuffer() and addRaw(...) chain, write() resolves to the summary, as the real one does. */
export const summary: Summary = { emptyBuffer: jest.fn(), addRaw: jest.fn(), write: jest.fn() }
summary.emptyBuffer.mockImplementation(() => summary)
summary.addRaw.mockImplementation(() => summary)
summary.write.mockImplementation(async () => summary)
