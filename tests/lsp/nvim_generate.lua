-- Drives a real Neovim (0.7+, headless) against the djgen language server:
-- start the server, open models.py, wait for diagnostics, pick "Generate serializer for Book",
-- resolve and apply it, write all buffers, and wait for the diagnostic to go away.
-- Inputs (environment): DJGEN_PYTHON, DJGEN_MODELS, DJGEN_ROOT, DJGEN_RESULT (a JSON file the
-- test reads). Everything this script saw goes into the result; failures too.

local python = os.getenv("DJGEN_PYTHON")
local models = os.getenv("DJGEN_MODELS")
local root = os.getenv("DJGEN_ROOT")
local result_path = os.getenv("DJGEN_RESULT")
local result = { steps = {} }

local function step(name)
  table.insert(result.steps, name)
end

local function lsp_codes(bufnr)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = (d.user_data or {}).lsp or {}
    local code = d.code or lsp.code
    local data = lsp.data or {}
    table.insert(found, (data.model or "?") .. " " .. tostring(code))
  end
  table.sort(found)
  return found
end

local function has(list, value)
  for _, v in ipairs(list) do
    if v == value then
      return true
    end
  end
  return false
end

local function main()
  local client_id = vim.lsp.start_client({
    name = "djgen",
    cmd = { python, "-m", "djgen.server" },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = "bookshop" } },
    init_options = { diagnosticsDelayMs = 0 },
  })
  assert(client_id, "the server did not start")
  step("started")

  vim.cmd("edit " .. vim.fn.fnameescape(models))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(bufnr, client_id)
  local client = vim.lsp.get_client_by_id(client_id)

  assert(vim.wait(30000, function()
    return has(lsp_codes(bufnr), "Book djgen.missing-serializer")
  end, 50), "no diagnostics arrived")
  result.diagnostics = lsp_codes(bufnr)
  step("diagnostics")

  local book
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local data = ((d.user_data or {}).lsp or {}).data or {}
    if data.model == "Book" then
      book = d
    end
  end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = {
      start = { line = book.lnum, character = book.col },
      ["end"] = { line = book.end_lnum, character = book.end_col },
    },
    context = { diagnostics = {} },
  }
  local response = client.request_sync("textDocument/codeAction", params, 30000, bufnr)
  assert(response and not response.err, "codeAction failed: " .. vim.inspect(response))
  result.titles = {}
  local chosen
  for _, action in ipairs(response.result or {}) do
    table.insert(result.titles, action.title)
    if action.title == "Generate serializer for Book" then
      chosen = action
    end
  end
  assert(chosen, "no 'Generate serializer for Book' action")
  step("actions")

  if not chosen.edit and not chosen.command then
    local resolved = client.request_sync("codeAction/resolve", chosen, 30000, bufnr)
    assert(resolved and not resolved.err, "resolve failed: " .. vim.inspect(resolved))
    chosen = resolved.result
    step("resolved")
  end
  if chosen.edit then
    result.edit_kinds = {}
    for _, change in ipairs(chosen.edit.documentChanges or {}) do
      table.insert(result.edit_kinds, change.kind or "edit")
    end
    vim.lsp.util.apply_workspace_edit(chosen.edit, "utf-16")
    step("applied edit")
  end
  if chosen.command then
    local done = client.request_sync("workspace/executeCommand", chosen.command, 30000, bufnr)
    assert(done and not done.err, "command failed: " .. vim.inspect(done))
    step("ran command")
  end

  vim.cmd("silent wall")
  step("wrote buffers")

  -- Let the server see the new file through its buffer, as an editor session would.
  for _, other in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(other)
    if other ~= bufnr and name:match("%.py$") and vim.api.nvim_buf_is_loaded(other) then
      vim.lsp.buf_attach_client(other, client_id)
    end
  end
  assert(vim.wait(30000, function()
    return not has(lsp_codes(bufnr), "Book djgen.missing-serializer")
  end, 50), "the diagnostic did not go away: " .. vim.inspect(lsp_codes(bufnr)))
  result.diagnostics_after = lsp_codes(bufnr)
  step("diagnostic gone")

  client.stop()
  vim.wait(5000, function()
    return client.is_stopped()
  end, 50)
end

local ok, err = pcall(main)
result.ok = ok
if not ok then
  result.error = tostring(err)
end
local file = io.open(result_path, "w")
file:write(vim.fn.json_encode(result))
file:close()
vim.cmd(ok and "qa!" or "cq!")
