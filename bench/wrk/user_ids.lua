-- GET /users/<id> with ids drawn at random from a file of existing ids (the script's first argument).
dofile("report.lua")

local ids = {}

init = function(args)
  for line in io.lines(args[1]) do
    ids[#ids + 1] = line
  end
  math.randomseed(os.time() + #ids)
end

request = function()
  return wrk.format("GET", "/users/" .. ids[math.random(#ids)])
end
