package core

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"hallway/chat"
	"hallway/core/transfer"
	"hallway/storage"
)

const prefPrefix = "pref."

func prefsFromSettings(get func(string) (string, bool, error)) (chat.Prefs, error) {
	p := chat.Prefs{Notifications: true, Theme: chat.ThemeSystem}
	read := func(k string) string {
		v, ok, err := get(prefPrefix + k)
		if err != nil || !ok {
			return ""
		}
		return v
	}
	if v := read("notifications"); v != "" {
		p.Notifications = v == "1"
	}
	if v := read("theme"); v == chat.ThemeLight || v == chat.ThemeDark {
		p.Theme = v
	}
	p.LastConversation = read("last_conversation")
	p.SetupDone = read("setup_done") == "1"
	p.Downloads = read("downloads")
	p.AutoAcceptMax, _ = strconv.ParseInt(read("auto_accept_max"), 10, 64)
	p.MaxFileSize, _ = strconv.ParseInt(read("max_file_size"), 10, 64)
	p.NoFiles = read("no_files") == "1"
	p.BlockExt = read("block_ext")
	p.ShareDays, _ = strconv.Atoi(read("share_days"))
	p.NoReadReceipts = read("no_read_receipts") == "1"
	if v := read("mutes"); v != "" {
		json.Unmarshal([]byte(v), &p.Mutes) // unreadable: no mutes
	}
	if v, err := strconv.ParseInt(read("dnd_until"), 10, 64); err == nil && v > 0 {
		p.DoNotDisturbUntil = time.UnixMilli(v)
	}
	if v := read("recent_emoji"); v != "" {
		p.RecentEmoji = strings.Fields(v)
	}
	return p, nil
}

func prefSettings(p chat.Prefs) map[string]string {
	b := func(v bool) string {
		if v {
			return "1"
		}
		return "0"
	}
	return map[string]string{
		"notifications": b(p.Notifications), "theme": p.Theme, "last_conversation": p.LastConversation,
		"setup_done": b(p.SetupDone), "downloads": p.Downloads,
		"auto_accept_max": strconv.FormatInt(p.AutoAcceptMax, 10), "max_file_size": strconv.FormatInt(p.MaxFileSize, 10),
		"no_files": b(p.NoFiles), "block_ext": p.BlockExt, "share_days": strconv.Itoa(p.ShareDays),
		"no_read_receipts": b(p.NoReadReceipts), "mutes": mutesSetting(p.Mutes),
		"dnd_until":    strconv.FormatInt(millisOrZero(p.DoNotDisturbUntil), 10),
		"recent_emoji": strings.Join(p.RecentEmoji, " "),
	}
}

func mutesSetting(ms []chat.Mute) string {
	if len(ms) == 0 {
		return ""
	}
	b, _ := json.Marshal(ms)
	return string(b)
}

func millisOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func checkPrefs(p chat.Prefs) error {
	switch p.Theme {
	case chat.ThemeSystem, chat.ThemeLight, chat.ThemeDark:
	default:
		return chat.UserErrorf("theme is system, light or dark, not %q", p.Theme)
	}
	if p.AutoAcceptMax < 0 || p.MaxFileSize < 0 {
		return chat.UserErrorf("file sizes cannot be negative")
	}
	if maxDays := int(transfer.MaxShareFor / (24 * time.Hour)); p.ShareDays < 0 || p.ShareDays > maxDays {
		return chat.UserErrorf("files are shared for 1 to %d days", maxDays)
	}
	if p.Downloads != "" && !filepath.IsAbs(p.Downloads) {
		return chat.UserErrorf("the downloads folder must be a full path, not %q", p.Downloads)
	}
	if len(p.LastConversation) > 200 || len(p.BlockExt) > 1000 {
		return chat.UserErrorf("setting too long")
	}
	if len(p.Mutes) > chat.MaxMutes || len(p.RecentEmoji) > chat.MaxRecentEmoji {
		return chat.UserErrorf("too many mutes or recent reactions")
	}
	for _, m := range p.Mutes {
		if _, err := chat.ParseNotifyLevel(string(m.Level)); err != nil {
			return chat.UserErrorf("%v", err)
		}
		if _, err := chat.ParseConv(m.Conversation); err != nil {
			return chat.UserErrorf("%q is not a conversation", m.Conversation)
		}
	}
	for _, e := range p.RecentEmoji {
		if err := chat.CheckEmoji(e); err != nil {
			return chat.UserErrorf("%v", err)
		}
	}
	return nil
}

// Prefs returns the saved preferences, defaults where unset.
func (s *Service) Prefs(ctx context.Context) (chat.Prefs, error) {
	return prefsFromSettings(func(k string) (string, bool, error) { return s.store.Setting(ctx, k) })
}

// SetPrefs saves p and announces it. File policy changes apply to a node
// started afterwards (the window restarts its node for that).
func (s *Service) SetPrefs(ctx context.Context, p chat.Prefs) error {
	if err := checkPrefs(p); err != nil {
		return err
	}
	for k, v := range prefSettings(p) {
		if err := s.store.SetSetting(ctx, prefPrefix+k, v); err != nil {
			return fmt.Errorf("save settings: %w", err)
		}
	}
	s.bus.publish(chat.PrefsChanged{Prefs: p})
	return nil
}

// ReadPrefs reads the preferences of a data folder before a node runs on
// it, so the file policy can go into the node's Config.
func ReadPrefs(ctx context.Context, dir string) (chat.Prefs, error) {
	if err := ensureDataDir(dir); err != nil {
		return chat.Prefs{}, err
	}
	st, err := storage.Open(ctx, filepath.Join(dir, databaseFile))
	if err != nil {
		return chat.Prefs{}, fmt.Errorf("history: %w", err)
	}
	defer st.Close()
	return prefsFromSettings(func(k string) (string, bool, error) { return st.Setting(ctx, k) })
}

// ApplyFilePrefs lays the saved file policy of p over cfg (flags given on
// the command line stay where the preference is unset).
func ApplyFilePrefs(p chat.Prefs, cfg FilesConfig) FilesConfig {
	if p.Downloads != "" {
		cfg.Downloads = p.Downloads
	}
	if p.AutoAcceptMax > 0 {
		cfg.AutoAcceptMax = p.AutoAcceptMax
	}
	if p.MaxFileSize > 0 {
		cfg.Policy.MaxSize = p.MaxFileSize
	}
	if p.NoFiles {
		cfg.Policy.Disabled = true
	}
	if p.ShareDays > 0 {
		cfg.ShareFor = time.Duration(p.ShareDays) * 24 * time.Hour
	}
	for _, e := range strings.Split(p.BlockExt, ",") {
		if e = strings.TrimSpace(strings.ToLower(e)); e != "" {
			if !strings.HasPrefix(e, ".") {
				e = "." + e
			}
			cfg.Policy.BlockedExtensions = append(cfg.Policy.BlockedExtensions, e)
		}
	}
	return cfg
}
