-- Each request takes the next (token, basket, code) of the work list, spread over threads.
local work = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("offset", thread_count)
end

local function load()
  local file = io.open(os.getenv("WORK_FILE"), "r")
  for line in file:lines() do
    local token, basket, code = line:match("^(%S+) (%S+) (%S+)$")
    work[#work + 1] = {token = token, basket = basket, code = code}
  end
  file:close()
end

local mode = os.getenv("WORK_MODE")
local next_index = nil

request = function()
  if #work == 0 then load() end
  if next_index == nil then next_index = (offset or 1) end
  local item = work[((next_index - 1) % #work) + 1]
  next_index = next_index + (tonumber(os.getenv("WORK_STRIDE")) or 1)
  local headers = {["Authorization"] = "Bearer " .. item.token,
                   ["Content-Type"] = "application/json"}
  if mode == "complete" then
    return wrk.format("POST", "/api/v1/baskets/" .. item.basket .. "/complete", headers, "")
  end
  return wrk.format("POST", "/api/v1/baskets/" .. item.basket .. "/items", headers,
                    '{"code": "' .. item.code .. '"}')
end
