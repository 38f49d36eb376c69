-- bench/reader_bypass.lua: wrk asks a URL the response cache has not kept:
-- each request a distinct cursor in the format given after wrk's `--`
-- (%x: a number never asked before), e.g. "/?after=7fffffff-%x" (the
-- first page of the river, but a key of its own).
local threads = 0
function setup(thread)
    threads = threads + 1
    thread:set("id", threads)
end
function init(args)
    fmt = args[1]
    n = 0
end
function request()
    n = n + 1
    return wrk.format(nil, string.format(fmt, n * 64 + id))
end
