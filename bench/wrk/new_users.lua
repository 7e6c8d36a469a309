-- POST /users with an email no other request of any run uses (the script's first argument tags the run), and
-- with the password its second argument gives, if any.
dofile("report.lua")

local threads = 0
local counter = 0

setup = function(thread)
  thread:set("number", threads)
  threads = threads + 1
end

init = function(args)
  run = args[1]
  password = args[2] and string.format(', "password": "%s"', args[2]) or ""
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"username": "bench", "email": "bench-%s-%d-%d@example.com"%s}', run, number, counter, password)
  return wrk.format("POST", "/users", {["Content-Type"] = "application/json"}, body)
end
