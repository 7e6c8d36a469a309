-- POST /users with an email no other request of any run uses (the script's first argument tags the run).
dofile("report.lua")

local threads = 0
local counter = 0

setup = function(thread)
  thread:set("number", threads)
  threads = threads + 1
end

init = function(args)
  run = args[1]
end

request = function()
  counter = counter + 1
  local body = string.format('{"username": "bench", "email": "bench-%s-%d-%d@example.com"}', run, number, counter)
  return wrk.format("POST", "/users", {["Content-Type"] = "application/json"}, body)
end
